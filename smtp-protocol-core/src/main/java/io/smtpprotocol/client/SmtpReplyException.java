package io.smtpprotocol.client;

import io.smtpprotocol.protocol.Reply;

/**
 * The server answered with a 4xx or 5xx reply, or the client refused locally with such a reply
 * before sending (a message over the server's size limit, an address that needs SMTPUTF8 the server
 * does not offer).
 */
public final class SmtpReplyException extends SmtpClientException {

  private final transient Reply reply;
  private final String command;
  private final boolean local;

  /**
   * @param command what was answered, for example {@code "RCPT"}
   * @param reply the negative reply
   */
  public SmtpReplyException(String command, Reply reply) {
    this(command, reply, false);
  }

  SmtpReplyException(String command, Reply reply, boolean local) {
    super((local ? "refused before " : "") + command + ": " + reply, null);
    if (reply.isPositive()) {
      throw new IllegalArgumentException("not a negative reply: " + reply);
    }
    this.reply = reply;
    this.command = command;
    this.local = local;
  }

  /** The reply. */
  public Reply reply() {
    return reply;
  }

  /** The command it answered, for example {@code "MAIL"}. */
  public String command() {
    return command;
  }

  /** Whether it is a 4xx reply: trying again later may succeed. */
  public boolean isTransient() {
    return reply.isTransient();
  }

  /** Whether the client made this reply itself instead of sending the command. */
  public boolean isLocal() {
    return local;
  }
}
