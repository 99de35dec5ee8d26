package dev.cidx.mcp;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpServerSession;
import io.modelcontextprotocol.spec.McpServerTransport;
import io.modelcontextprotocol.spec.McpServerTransportProvider;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import reactor.core.publisher.Mono;

/**
 * MCP over stdio as newline-delimited JSON-RPC, with no thread hand-off of its own: one thread reads
 * stdin and gives each message to the SDK's session on that thread, and a message is written to stdout
 * on whichever thread sends it, serialized, framed and flushed in one {@code write}. A tool whose handler
 * runs on the reader thread (see {@link CidxMcpServer}) is thus read, answered and written without waking
 * another thread.
 *
 * <p>Why not the SDK's {@code StdioServerTransportProvider}: it puts every message through a Reactor
 * sink on each side and writes from its own single-thread scheduler, so a warm call wakes two more
 * threads, each of which may wait for a core on a busy machine. Without them a warm {@code tools/call
 * search_code} took 0.5–2 ms less at p50, of the 5–7 ms it had added over the daemon's socket
 * (BENCHMARKS.md, "MCP's transport"). The SDK takes any {@link McpServerTransportProvider}, so this
 * replaces only the transport, not the server. Its output relies on the mapper writing no line breaks
 * (no indentation; Jackson escapes them inside strings).
 *
 * <p>Threads: one reader thread, "cidx-mcp-stdin" (a daemon thread, so it never keeps the JVM alive);
 * writes from any thread are serialized on the output stream.
 */
final class StdioLineTransport implements McpServerTransportProvider {
  private static final byte[] PARSE_ERROR =
      "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32700,\"message\":\"Parse error\"}}"
          .getBytes(StandardCharsets.UTF_8);

  private final McpJsonMapper json;
  private final InputStream in;
  private final OutputStream out;
  private final PrintStream log;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile McpServerSession session;

  StdioLineTransport(McpJsonMapper json, InputStream in, OutputStream out, PrintStream log) {
    this.json = json;
    this.in = in;
    this.out = out;
    this.log = log;
  }

  @Override
  public void setSessionFactory(McpServerSession.Factory sessionFactory) {
    session = sessionFactory.create(new SessionTransport());
    Thread reader = new Thread(this::readLoop, "cidx-mcp-stdin");
    reader.setDaemon(true);
    reader.start();
  }

  private void readLoop() {
    try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      for (String line; !closing.get() && (line = lines.readLine()) != null; ) {
        if (line.isBlank()) {
          continue;
        }
        JSONRPCMessage message;
        try {
          message = McpSchema.deserializeJsonRpcMessage(json, line);
        } catch (IOException | IllegalArgumentException e) {
          // JSON-RPC's answer to a line it cannot read; the SDK's transport stopped reading stdin instead.
          log.println("cidx: mcp: not a JSON-RPC message: " + ToolResults.firstLine(e.getMessage()));
          writeLine(PARSE_ERROR);
          continue;
        }
        session.handle(message).subscribe(null,
            e -> log.println("cidx: mcp: " + ToolResults.firstLine(String.valueOf(e.getMessage()))));
      }
    } catch (IOException e) {
      if (!closing.get()) {
        log.println("cidx: mcp: cannot read stdin: " + e.getMessage());
      }
    } finally {
      closing.set(true);
      session.close();
    }
  }

  /** One message as one line: Jackson escapes line breaks inside strings and writes no others. */
  private void write(JSONRPCMessage message) {
    byte[] body;
    try {
      body = json.writeValueAsBytes(message);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write an MCP message as JSON", e);
    }
    writeLine(body);
  }

  /** {@code body} and a newline in one write, then a flush: a reader never sees half a message. */
  private void writeLine(byte[] body) {
    byte[] line = new byte[body.length + 1];
    System.arraycopy(body, 0, line, 0, body.length);
    line[body.length] = '\n';
    synchronized (out) {
      try {
        out.write(line);
        out.flush();
      } catch (IOException e) {
        if (!closing.get()) {
          throw new UncheckedIOException("cannot write to stdout", e);
        }
      }
    }
  }

  @Override
  public Mono<Void> notifyClients(String method, Object params) {
    McpServerSession s = session;
    return s == null ? Mono.error(new IllegalStateException("no MCP session to notify"))
        : s.sendNotification(method, params);
  }

  @Override
  public Mono<Void> closeGracefully() {
    McpServerSession s = session;
    return s == null ? Mono.empty() : s.closeGracefully();
  }

  /** The one session's side of the transport: sends by writing at once. */
  private final class SessionTransport implements McpServerTransport {
    @Override
    public Mono<Void> sendMessage(JSONRPCMessage message) {
      return Mono.fromRunnable(() -> write(message));
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> type) {
      return json.convertValue(data, type);
    }

    @Override
    public Mono<Void> closeGracefully() {
      return Mono.fromRunnable(() -> closing.set(true));
    }

    @Override
    public void close() {
      closing.set(true);
    }
  }
}
