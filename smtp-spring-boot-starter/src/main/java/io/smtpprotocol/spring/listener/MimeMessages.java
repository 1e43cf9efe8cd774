package io.smtpprotocol.spring.listener;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.util.Properties;

/**
 * Parses a buffered body as a {@link MimeMessage}. Loaded only when a listener declares a {@code
 * MimeMessage} parameter, so jakarta.mail stays an optional dependency.
 */
final class MimeMessages {

  /** A session without settings: parsing needs one, and it holds no state that parsing changes. */
  private static final Session SESSION = Session.getInstance(new Properties());

  private MimeMessages() {}

  static MimeMessage parse(ListenerArguments arguments) {
    byte[] bytes = arguments.bytes();
    if (bytes == null) {
      throw new IllegalStateException("the message body was not buffered");
    }
    try {
      return new MimeMessage(SESSION, new ByteArrayInputStream(bytes));
    } catch (MessagingException e) {
      throw new IllegalStateException("the message is not a MIME message: " + e.getMessage(), e);
    }
  }
}
