package com.example.photos.media;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;

/**
 * Produces the JPEG thumbnails shown in the gallery grid and the lightbox.
 *
 * <p>Images are scaled to fit inside a square bounding box while keeping their aspect ratio
 * (never upscaled). Large reductions are done in several halving steps, which gives a much
 * smoother result than a single bilinear resize without the cost of a full Lanczos filter.
 */
public final class ThumbnailGenerator {

  /** The thumbnail sizes the web client knows how to request. */
  public enum Size {
    SMALL(160, "s"),
    MEDIUM(480, "m"),
    LARGE(1280, "l");

    private final int maxEdge;
    private final String suffix;

    Size(int maxEdge, String suffix) {
      this.maxEdge = maxEdge;
      this.suffix = suffix;
    }

    public int maxEdge() {
      return maxEdge;
    }

    /** Appended to the object key: {@code photos/…/id.jpg.m.jpg}. */
    public String suffix() {
      return suffix;
    }
  }

  private final float jpegQuality;

  public ThumbnailGenerator() {
    this(0.82f);
  }

  public ThumbnailGenerator(float jpegQuality) {
    if (jpegQuality <= 0f || jpegQuality > 1f) {
      throw new IllegalArgumentException("jpegQuality must be in (0, 1]");
    }
    this.jpegQuality = jpegQuality;
  }

  /** Decodes {@code original}, resizes it to {@code size} and encodes the result as JPEG. */
  public byte[] generate(byte[] original, Size size) throws IOException {
    BufferedImage source = ImageIO.read(new ByteArrayInputStream(original));
    if (source == null) {
      throw new IOException("unsupported or corrupt image format");
    }
    BufferedImage resized = resizeToFit(source, size.maxEdge());
    return encodeJpeg(resized);
  }

  /** Scales {@code source} so its longer edge is at most {@code maxEdge} pixels. */
  static BufferedImage resizeToFit(BufferedImage source, int maxEdge) {
    int width = source.getWidth();
    int height = source.getHeight();
    int[] target = fitWithin(width, height, maxEdge);
    int targetWidth = target[0];
    int targetHeight = target[1];
    if (targetWidth == width && targetHeight == height) {
      return toRgb(source);
    }

    // Step down by halves until within 2x of the target, then do the final resize.
    BufferedImage current = toRgb(source);
    while (current.getWidth() / 2 >= targetWidth && current.getHeight() / 2 >= targetHeight) {
      current = scale(current, current.getWidth() / 2, current.getHeight() / 2);
    }
    return scale(current, targetWidth, targetHeight);
  }

  /** Returns {width, height} of the largest box with the same aspect ratio that fits in maxEdge. */
  static int[] fitWithin(int width, int height, int maxEdge) {
    if (width <= maxEdge && height <= maxEdge) {
      return new int[] {width, height};
    }
    double ratio = Math.min((double) maxEdge / width, (double) maxEdge / height);
    int w = Math.max(1, (int) Math.round(width * ratio));
    int h = Math.max(1, (int) Math.round(height * ratio));
    return new int[] {w, h};
  }

  private static BufferedImage scale(BufferedImage src, int width, int height) {
    BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = out.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
      g.drawImage(src, 0, 0, width, height, null);
    } finally {
      g.dispose();
    }
    return out;
  }

  /** JPEG has no alpha channel: flatten PNG transparency onto white. */
  private static BufferedImage toRgb(BufferedImage src) {
    if (src.getType() == BufferedImage.TYPE_INT_RGB) {
      return src;
    }
    BufferedImage rgb = new BufferedImage(src.getWidth(), src.getHeight(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = rgb.createGraphics();
    try {
      g.setColor(java.awt.Color.WHITE);
      g.fillRect(0, 0, src.getWidth(), src.getHeight());
      g.drawImage(src, 0, 0, null);
    } finally {
      g.dispose();
    }
    return rgb;
  }

  private byte[] encodeJpeg(BufferedImage image) throws IOException {
    Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("jpeg");
    if (!writers.hasNext()) {
      throw new IOException("no JPEG encoder available");
    }
    ImageWriter writer = writers.next();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(out);
      ImageWriteParam param = writer.getDefaultWriteParam();
      param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
      param.setCompressionQuality(jpegQuality);
      writer.write(null, new IIOImage(image, null, null), param);
    } finally {
      writer.dispose();
    }
    return bytes.toByteArray();
  }
}
