package com.example.photos.storage;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Reads and writes the {@code photos} table with plain JDBC.
 *
 * <pre>
 * CREATE TABLE photos (
 *   id          UUID PRIMARY KEY,
 *   owner_id    BIGINT NOT NULL,
 *   file_name   TEXT NOT NULL,
 *   storage_key TEXT NOT NULL,
 *   status      TEXT NOT NULL,          -- PENDING, STORED, FAILED
 *   size_bytes  BIGINT,
 *   created_at  TIMESTAMPTZ NOT NULL,
 *   updated_at  TIMESTAMPTZ NOT NULL
 * );
 * CREATE INDEX photos_owner_created ON photos (owner_id, created_at DESC);
 * </pre>
 *
 * <p>Every method borrows a connection from the pool and returns it before returning; SQL errors
 * are wrapped in {@link DataAccessException} so callers don't have to handle checked exceptions.
 */
public final class PhotoRepository {

  public enum Status { PENDING, STORED, FAILED }

  public record Photo(UUID id, long ownerId, String fileName, String storageKey, Status status,
      Long sizeBytes, Instant createdAt) {}

  public static final class DataAccessException extends RuntimeException {
    DataAccessException(String message, SQLException cause) {
      super(message, cause);
    }
  }

  private static final String COLUMNS =
      "id, owner_id, file_name, storage_key, status, size_bytes, created_at";

  private final DataSource dataSource;

  public PhotoRepository(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  public void insertPending(UUID id, long ownerId, String fileName, String storageKey, Instant now) {
    String sql = "INSERT INTO photos (" + COLUMNS + ", updated_at) VALUES (?, ?, ?, ?, 'PENDING', NULL, ?, ?)";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      ps.setLong(2, ownerId);
      ps.setString(3, fileName);
      ps.setString(4, storageKey);
      ps.setTimestamp(5, Timestamp.from(now));
      ps.setTimestamp(6, Timestamp.from(now));
      ps.executeUpdate();
    } catch (SQLException e) {
      throw new DataAccessException("insert photo " + id, e);
    }
  }

  public void markStored(UUID id, long sizeBytes, Instant now) {
    updateStatus(id, Status.STORED, sizeBytes, now);
  }

  public void markFailed(UUID id, Instant now) {
    updateStatus(id, Status.FAILED, null, now);
  }

  private void updateStatus(UUID id, Status status, Long sizeBytes, Instant now) {
    String sql = "UPDATE photos SET status = ?, size_bytes = COALESCE(?, size_bytes), updated_at = ? WHERE id = ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setString(1, status.name());
      ps.setObject(2, sizeBytes);
      ps.setTimestamp(3, Timestamp.from(now));
      ps.setObject(4, id);
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("photo " + id + " does not exist");
      }
    } catch (SQLException e) {
      throw new DataAccessException("update photo " + id + " to " + status, e);
    }
  }

  public Optional<Photo> findById(UUID id) {
    String sql = "SELECT " + COLUMNS + " FROM photos WHERE id = ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(map(rs)) : Optional.empty();
      }
    } catch (SQLException e) {
      throw new DataAccessException("find photo " + id, e);
    }
  }

  /**
   * One page of an owner's photos, newest first, using keyset pagination: pass the
   * {@code createdAt} of the last photo of the previous page as {@code before} (null for page one).
   * Unlike OFFSET this stays fast on accounts with tens of thousands of photos.
   */
  public List<Photo> listByOwner(long ownerId, Instant before, int limit) {
    String sql = "SELECT " + COLUMNS + " FROM photos WHERE owner_id = ? AND status = 'STORED'"
        + " AND created_at < ? ORDER BY created_at DESC LIMIT ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setLong(1, ownerId);
      ps.setTimestamp(2, Timestamp.from(before != null ? before : Instant.now().plusSeconds(60)));
      ps.setInt(3, limit);
      List<Photo> page = new ArrayList<>(limit);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          page.add(map(rs));
        }
      }
      return page;
    } catch (SQLException e) {
      throw new DataAccessException("list photos of owner " + ownerId, e);
    }
  }

  /** Uploads that gave up after all retries, oldest first; input to the replay script. */
  public List<Photo> findFailedSince(Instant since, int limit) {
    String sql = "SELECT " + COLUMNS + " FROM photos WHERE status = 'FAILED' AND updated_at >= ?"
        + " ORDER BY updated_at LIMIT ?";
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setTimestamp(1, Timestamp.from(since));
      ps.setInt(2, limit);
      List<Photo> failed = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          failed.add(map(rs));
        }
      }
      return failed;
    } catch (SQLException e) {
      throw new DataAccessException("find failed uploads", e);
    }
  }

  private static Photo map(ResultSet rs) throws SQLException {
    long size = rs.getLong("size_bytes");
    Long sizeBytes = rs.wasNull() ? null : size;
    return new Photo(
        rs.getObject("id", UUID.class),
        rs.getLong("owner_id"),
        rs.getString("file_name"),
        rs.getString("storage_key"),
        Status.valueOf(rs.getString("status")),
        sizeBytes,
        rs.getTimestamp("created_at").toInstant());
  }
}
