package dev.cidx.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.protocol.JsonLines;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/** A raw client for protocol tests: writes bytes, reads JSON lines with a timeout, sees end of stream. */
public final class LineSocket implements AutoCloseable {
  private final SocketChannel channel;
  private final Selector selector;
  private final JsonLines.Decoder decoder = new JsonLines.Decoder(JsonLines.MAX_RESPONSE_BYTES);
  private final ByteBuffer buffer = ByteBuffer.allocate(65536);

  public LineSocket(Path socket) throws IOException {
    channel = SocketChannel.open(StandardProtocolFamily.UNIX);
    channel.connect(UnixDomainSocketAddress.of(socket));
    channel.configureBlocking(false);
    selector = Selector.open();
    channel.register(selector, SelectionKey.OP_READ);
  }

  public void send(String text) throws IOException {
    send(text.getBytes(StandardCharsets.UTF_8));
  }

  public void send(byte[] bytes) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    while (b.hasRemaining()) {
      if (channel.write(b) == 0) {
        Thread.onSpinWait();
      }
    }
  }

  /** The next JSON line, or null at end of stream; fails after the timeout. */
  public JsonNode read(Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      JsonLines.Frame f = decoder.next();
      if (f instanceof JsonLines.Frame.Line line) {
        return JsonLines.MAPPER.readTree(line.bytes());
      }
      buffer.clear();
      int n = channel.read(buffer);
      if (n < 0) {
        return null;
      }
      if (n == 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IOException("no line within " + timeout);
        }
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
        continue;
      }
      buffer.flip();
      decoder.feed(buffer);
    }
  }

  public JsonNode read() throws IOException {
    return read(Duration.ofSeconds(10));
  }

  /** Half-closes: the server sees end of stream but can still answer. */
  public void shutdownOutput() throws IOException {
    channel.shutdownOutput();
  }

  @Override
  public void close() throws IOException {
    selector.close();
    channel.close();
  }
}
