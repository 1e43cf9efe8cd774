package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One mail transaction: the accepted sender and recipients. A new value is made for every change;
 * handlers see a snapshot.
 *
 * @param from the reverse path of MAIL FROM
 * @param parameters the MAIL FROM parameters
 * @param recipients the accepted recipients, in order
 * @param startedAt when MAIL FROM was accepted
 */
public record Envelope(
    ReversePath from, MailParameters parameters, List<Recipient> recipients, Instant startedAt) {

  public Envelope {
    recipients = List.copyOf(recipients);
  }

  /** A new transaction without recipients. */
  public static Envelope of(ReversePath from, MailParameters parameters) {
    return new Envelope(from, parameters, List.of(), Instant.now());
  }

  /** This envelope with one more recipient. */
  public Envelope withRecipient(Recipient recipient) {
    List<Recipient> list = new ArrayList<>(recipients.size() + 1);
    list.addAll(recipients);
    list.add(recipient);
    return new Envelope(from, parameters, list, startedAt);
  }

  /** The recipients' mailboxes, in order. */
  public List<Mailbox> mailboxes() {
    List<Mailbox> list = new ArrayList<>(recipients.size());
    for (Recipient r : recipients) {
      list.add(r.mailbox());
    }
    return List.copyOf(list);
  }

  /** Whether the sender asked for SMTPUTF8 (RFC 6531). */
  public boolean smtpUtf8() {
    return parameters.has("SMTPUTF8");
  }

  /** Whether the sender asked for REQUIRETLS (RFC 8689): relay onward over verified TLS only. */
  public boolean requireTls() {
    return parameters.has("REQUIRETLS");
  }

  /** The declared SIZE, or -1. */
  public long declaredSize() {
    return parameters.size().orElse(-1);
  }
}
