package io.smtpprotocol.client;

import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Reply;
import java.util.List;

/**
 * What the server said to a sent message: each recipient's reply and the reply to the message. A
 * message accepted for some recipients and refused for others is a result, not a failure.
 *
 * @param recipients one entry per recipient, in envelope order; in LMTP mode an accepted
 *     recipient's reply is the one it got after the message
 * @param message the reply to the end of the message (the last one in LMTP mode)
 */
public record SendResult(List<RecipientReply> recipients, Reply message) {

  /** A recipient and its reply. */
  public record RecipientReply(Mailbox recipient, Reply reply) {
    /** Whether the recipient was accepted. */
    public boolean accepted() {
      return reply.isPositive();
    }
  }

  public SendResult {
    recipients = List.copyOf(recipients);
  }

  /** The recipients the server accepted. */
  public List<Mailbox> accepted() {
    return recipients.stream()
        .filter(RecipientReply::accepted)
        .map(RecipientReply::recipient)
        .toList();
  }

  /** The recipients the server refused, with their replies. */
  public List<RecipientReply> refused() {
    return recipients.stream().filter(r -> !r.accepted()).toList();
  }
}
