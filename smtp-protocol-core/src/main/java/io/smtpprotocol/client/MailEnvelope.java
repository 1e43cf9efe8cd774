package io.smtpprotocol.client;

import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import java.util.Arrays;
import java.util.List;

/**
 * Who a message is from and to, as MAIL FROM and RCPT TO say it.
 *
 * @param from the reverse path, {@link ReversePath#NULL} for a bounce
 * @param recipients the forward paths, at least one
 * @param mailParameters extra MAIL FROM parameters (for example {@code RET=HDRS}); the client adds
 *     {@code SIZE}, {@code BODY} and {@code SMTPUTF8} itself
 * @param recipientParameters parameters for every RCPT TO (for example {@code NOTIFY=FAILURE})
 */
public record MailEnvelope(
    ReversePath from,
    List<Mailbox> recipients,
    MailParameters mailParameters,
    MailParameters recipientParameters) {

  public MailEnvelope {
    recipients = List.copyOf(recipients);
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("recipients must not be empty");
    }
    Values.check(mailParameters);
    Values.check(recipientParameters);
  }

  /**
   * An envelope from addresses such as {@code "alice@example.com"}; an empty sender is {@code <>}.
   */
  public static MailEnvelope of(String from, String... recipients) {
    ReversePath path = from.isEmpty() ? ReversePath.NULL : ReversePath.of(Mailbox.parse(from));
    return new MailEnvelope(
        path,
        Arrays.stream(recipients).map(Mailbox::parse).toList(),
        MailParameters.EMPTY,
        MailParameters.EMPTY);
  }

  /** This envelope with other MAIL FROM parameters. */
  public MailEnvelope withMailParameters(MailParameters parameters) {
    return new MailEnvelope(from, recipients, parameters, recipientParameters);
  }

  /** This envelope with other RCPT TO parameters. */
  public MailEnvelope withRecipientParameters(MailParameters parameters) {
    return new MailEnvelope(from, recipients, mailParameters, parameters);
  }

  /** Whether an address needs SMTPUTF8 (RFC 6531). */
  public boolean needsSmtpUtf8() {
    if (from.mailbox() != null && !from.mailbox().isAscii()) {
      return true;
    }
    for (Mailbox m : recipients) {
      if (!m.isAscii()) {
        return true;
      }
    }
    return false;
  }
}
