package dev.cidx.daemon;

import java.io.PrintStream;

/**
 * What a method handler may do with the client it answers, besides returning the response: send it
 * notifications for the current request and tell whether it is still there. {@link Connection} is the
 * one implementation; the interface keeps {@link MethodHandler} from depending on the connection that
 * creates it.
 *
 * <p>Threads: called on the connection's own thread, while it handles the request.
 */
interface ClientChannel {
  /** Sends a notification for the current request; false once the client can no longer be written to. */
  boolean notify(String method, Object params);

  /** The id of the request being handled as a plain value (a number or a string), for notifications. */
  Object currentRequestIdValue();

  /** True once the client can no longer be written to. */
  boolean isBroken();

  /** A stream whose flushed text reaches the client as {@code output} notifications of the current request. */
  PrintStream outputStream(String stream);
}
