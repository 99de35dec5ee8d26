package com.example.photos.upload;

import com.example.photos.media.ThumbnailGenerator;
import com.example.photos.storage.PhotoRepository;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Stores an uploaded photo in the object store, generates its thumbnails and records it in the
 * database.
 *
 * <p>Uploads from phones on flaky networks fail often, so the transfer to the object store is
 * retried with exponential backoff and jitter according to a {@link RetryPolicy}. Uploads that
 * still fail after the last attempt are recorded with status {@code FAILED} so an operator can
 * replay them later (see docs/runbook.md, "Replaying failed uploads").
 */
public final class UploadService {

  private static final Logger LOG = Logger.getLogger(UploadService.class.getName());

  /** Abstraction over S3/GCS so tests can inject failures. */
  public interface ObjectStore {
    void put(String key, byte[] content, String contentType) throws IOException;
  }

  /** Sleeps between attempts; replaced in tests so they do not actually wait. */
  interface Sleeper {
    void sleep(Duration duration) throws InterruptedException;
  }

  private final ObjectStore store;
  private final PhotoRepository photos;
  private final ThumbnailGenerator thumbnails;
  private final RetryPolicy retryPolicy;
  private final Clock clock;
  private final Sleeper sleeper;

  public UploadService(ObjectStore store, PhotoRepository photos, ThumbnailGenerator thumbnails,
      RetryPolicy retryPolicy) {
    this(store, photos, thumbnails, retryPolicy, Clock.systemUTC(), d -> Thread.sleep(d.toMillis()));
  }

  UploadService(ObjectStore store, PhotoRepository photos, ThumbnailGenerator thumbnails,
      RetryPolicy retryPolicy, Clock clock, Sleeper sleeper) {
    this.store = Objects.requireNonNull(store);
    this.photos = Objects.requireNonNull(photos);
    this.thumbnails = Objects.requireNonNull(thumbnails);
    this.retryPolicy = Objects.requireNonNull(retryPolicy);
    this.clock = Objects.requireNonNull(clock);
    this.sleeper = Objects.requireNonNull(sleeper);
  }

  /** Result of {@link #upload}: the new photo's id and whether it made it to storage. */
  public record UploadResult(UUID photoId, boolean stored, int attempts) {}

  /**
   * Uploads one photo for {@code ownerId}. Never throws for storage failures: they are retried and,
   * if they persist, the photo is saved with status FAILED and {@code stored == false} is returned.
   */
  public UploadResult upload(long ownerId, String fileName, byte[] content, String contentType)
      throws InterruptedException {
    UUID photoId = UUID.randomUUID();
    String key = objectKey(ownerId, photoId, fileName);
    photos.insertPending(photoId, ownerId, fileName, key, clock.instant());

    int attempts = uploadWithRetry(key, content, contentType);
    if (attempts < 0) {
      photos.markFailed(photoId, clock.instant());
      return new UploadResult(photoId, false, -attempts);
    }

    for (ThumbnailGenerator.Size size : ThumbnailGenerator.Size.values()) {
      try {
        byte[] thumb = thumbnails.generate(content, size);
        uploadWithRetry(key + "." + size.suffix() + ".jpg", thumb, "image/jpeg");
      } catch (IOException e) {
        // A missing thumbnail is repaired lazily by the gallery; don't fail the upload for it.
        LOG.log(Level.WARNING, "thumbnail " + size + " failed for " + photoId, e);
      }
    }
    photos.markStored(photoId, content.length, clock.instant());
    return new UploadResult(photoId, true, attempts);
  }

  /**
   * Replays an upload previously marked FAILED, e.g. from the operator's replay script.
   * The original bytes must be supplied again because failed uploads are not kept on disk.
   */
  public boolean replay(UUID photoId, byte[] content, String contentType) throws InterruptedException {
    PhotoRepository.Photo photo = photos.findById(photoId)
        .orElseThrow(() -> new IllegalArgumentException("no such photo " + photoId));
    if (photo.status() != PhotoRepository.Status.FAILED) {
      return false;
    }
    int attempts = uploadWithRetry(photo.storageKey(), content, contentType);
    if (attempts < 0) {
      return false;
    }
    photos.markStored(photoId, content.length, clock.instant());
    return true;
  }

  /**
   * Puts the object, retrying transient failures with backoff.
   *
   * @return the number of attempts it took, or minus the number of attempts if it gave up
   */
  int uploadWithRetry(String key, byte[] content, String contentType) throws InterruptedException {
    Duration waited = Duration.ZERO;
    Instant started = clock.instant();
    for (int attempt = 1; ; attempt++) {
      try {
        store.put(key, content, contentType);
        if (attempt > 1) {
          LOG.info(() -> "upload of " + key + " succeeded after retries, total "
              + Duration.between(started, clock.instant()).toMillis() + " ms");
        }
        return attempt;
      } catch (IOException e) {
        if (!retryPolicy.shouldRetry(attempt, e, waited)) {
          LOG.log(Level.SEVERE, "giving up on " + key + " after " + attempt + " attempts", e);
          return -attempt;
        }
        Duration delay = retryPolicy.delayBeforeNextAttempt(attempt);
        final int failedAttempt = attempt;
        LOG.warning(() -> "upload attempt " + failedAttempt + " for " + key + " failed ("
            + e.getMessage() + "); retrying in " + delay.toMillis() + " ms");
        sleeper.sleep(delay);
        waited = waited.plus(delay);
      }
    }
  }

  /** Object keys are sharded by owner so one heavy user does not create a hot prefix. */
  static String objectKey(long ownerId, UUID photoId, String fileName) {
    String extension = "";
    int dot = fileName.lastIndexOf('.');
    if (dot >= 0 && dot < fileName.length() - 1) {
      extension = fileName.substring(dot).toLowerCase();
    }
    return String.format("photos/%02x/%d/%s%s", ownerId & 0xff, ownerId, photoId, extension);
  }
}
