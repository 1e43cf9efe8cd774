package io.smtpprotocol.handler;

import java.io.InputStream;

/**
 * The body of one message as it arrives: after dot-unstuffing for DATA, the chunks' octets for
 * BDAT, without the terminating {@code .CRLF}.
 *
 * <p>Reads block until data arrives; the engine buffers only a bounded amount (the server's body
 * buffer size) and pauses reading from the client while the handler is behind. A read throws {@link
 * MessageAbortedException} when the message turns out too large or malformed or the connection is
 * lost; the client then gets the engine's error reply. Closing the stream discards the rest of the
 * body: the engine keeps reading it from the client and drops it.
 */
public abstract class MessageBody extends InputStream {

  /** For the engine; applications receive bodies, they do not make them. */
  protected MessageBody() {}

  /** Octets of body received so far (read or not). */
  public abstract long received();

  /** Octets read by the handler so far. */
  public abstract long consumed();

  /**
   * Whether the whole body has arrived: reads then never wait for the client. The engine calls the
   * message handler when the body is complete or its buffer is full, so a body smaller than the
   * server's body buffer size is always complete when the handler sees it.
   */
  public abstract boolean isComplete();

  /** Discards the rest of the body; the engine keeps reading it from the client and drops it. */
  @Override
  public abstract void close();
}
