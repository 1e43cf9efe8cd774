package io.smtpprotocol.spring.app;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/** Accepts mail for example.com from anyone but spam.test, and keeps what it receives. */
@Component
public class Mailroom {

  /** A stored message. */
  public record Stored(String from, String to, String subject, String text) {}

  private final BlockingQueue<Stored> stored = new LinkedBlockingQueue<>();

  @SmtpListener(SmtpEvent.MAIL_FROM)
  Decision sender(String address) {
    return address.endsWith("@spam.test")
        ? Decision.reject(550, "5.7.1", "Sender blocked")
        : Decision.accept();
  }

  @SmtpListener(SmtpEvent.RCPT_TO)
  boolean recipient(Mailbox to) {
    return to.domainLowerCase().equals("example.com");
  }

  @SmtpListener(SmtpEvent.MESSAGE)
  void message(Envelope envelope, MimeMessage message) throws MessagingException, IOException {
    stored.add(
        new Stored(
            envelope.from().address(),
            envelope.mailboxes().get(0).address(),
            message.getSubject(),
            String.valueOf(message.getContent()).strip()));
  }

  /** The next stored message, waiting up to five seconds. */
  public Stored take() throws InterruptedException {
    Stored s = stored.poll(5, TimeUnit.SECONDS);
    if (s == null) {
      throw new AssertionError("no message stored within 5 seconds");
    }
    return s;
  }
}
