package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.Reply;

/** Thrown by a handler (or completing its stage) to reject the current event with a given reply. */
public class SmtpRejectException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final transient Reply reply;

  public SmtpRejectException(Reply reply) {
    super(reply.toString(), null, false, false);
    if (reply.isPositive()) {
      throw new IllegalArgumentException("a reject needs a 4xx or 5xx reply: " + reply);
    }
    this.reply = reply;
  }

  public SmtpRejectException(int code, String enhancedStatus, String text) {
    this(Reply.of(code, enhancedStatus, text));
  }

  public Reply reply() {
    return reply;
  }
}
