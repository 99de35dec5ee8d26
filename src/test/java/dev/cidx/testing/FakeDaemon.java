package dev.cidx.testing;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cidx.protocol.JsonLines;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;

/**
 * A scripted stand-in for a daemon on a real socket: every request line goes to {@code responder}, whose
 * answer lines are written back. For client tests that need a daemon to misbehave (another version,
 * silence, odd errors).
 */
public final class FakeDaemon implements AutoCloseable {
  /** What the fake answers to one request; {@link #closeAfter} ends the connection after the lines. */
  public record Reply(List<JsonNode> lines, boolean closeAfter) {
    public static Reply of(JsonNode... lines) {
      return new Reply(List.of(lines), false);
    }

    public static Reply silence() {
      return new Reply(List.of(), false);
    }
  }

  private final Path socket;
  private final ServerSocketChannel server;
  private final Function<JsonNode, Reply> responder;
  public final List<String> methods = new CopyOnWriteArrayList<>();

  public FakeDaemon(Path socket, Function<JsonNode, Reply> responder) throws IOException {
    this.socket = socket;
    this.responder = responder;
    Files.createDirectories(socket.getParent());
    server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    Thread t = new Thread(this::acceptLoop, "fake-daemon");
    t.setDaemon(true);
    t.start();
  }

  public static JsonNode result(JsonNode request, Object result) {
    var node = JsonLines.MAPPER.createObjectNode();
    node.put("jsonrpc", "2.0");
    node.set("id", request.get("id"));
    node.set("result", JsonLines.MAPPER.valueToTree(result));
    return node;
  }

  private void acceptLoop() {
    while (server.isOpen()) {
      try {
        SocketChannel c = server.accept();
        Thread t = new Thread(() -> serve(c), "fake-daemon-conn");
        t.setDaemon(true);
        t.start();
      } catch (IOException e) {
        return;
      }
    }
  }

  private void serve(SocketChannel c) {
    JsonLines.Decoder decoder = new JsonLines.Decoder(JsonLines.MAX_REQUEST_BYTES);
    ByteBuffer buf = ByteBuffer.allocate(65536);
    try (c) {
      while (true) {
        JsonLines.Frame f = decoder.next();
        if (f == null) {
          buf.clear();
          if (c.read(buf) < 0) {
            return;
          }
          buf.flip();
          decoder.feed(buf);
          continue;
        }
        JsonNode request = JsonLines.MAPPER.readTree(((JsonLines.Frame.Line) f).bytes());
        methods.add(request.path("method").asText());
        Reply reply = responder.apply(request);
        for (JsonNode line : reply.lines()) {
          c.write(ByteBuffer.wrap(JsonLines.encode(line)));
        }
        if (reply.closeAfter()) {
          return;
        }
      }
    } catch (IOException e) {
      // client gone
    }
  }

  /** Stops accepting and removes the socket file, as a daemon does when it stops. */
  @Override
  public void close() throws IOException {
    server.close();
    Files.deleteIfExists(socket);
  }
}
