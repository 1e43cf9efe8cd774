package io.smtpprotocol.client;

import io.smtpprotocol.protocol.Reply;

/**
 * Sees every reply a client's connections receive, for metrics. Called on the connection's event
 * loop: it must be quick and must not block.
 */
@FunctionalInterface
public interface ReplyObserver {

  /**
   * @param command what the reply answers: the verb (for example {@code "MAIL"}), {@code
   *     "greeting"}, or {@code "message"} for the reply to the end of a message
   * @param reply the reply
   */
  void reply(String command, Reply reply);
}
