package io.smtpprotocol.spring.client;

import io.smtpprotocol.client.MailEnvelope;
import io.smtpprotocol.client.MessageContent;
import io.smtpprotocol.client.SmtpClientPool;
import io.smtpprotocol.client.SmtpReplyException;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.mail.MailAuthenticationException;
import org.springframework.mail.MailException;
import org.springframework.mail.MailParseException;
import org.springframework.mail.MailPreparationException;
import org.springframework.mail.MailSendException;
import org.springframework.mail.SimpleMailMessage;
import org.springframework.mail.javamail.JavaMailSender;
import org.springframework.mail.javamail.MimeMailMessage;

/**
 * A {@link JavaMailSender} that sends through an {@link SmtpClientPool}: an application written
 * against Spring's mail sender keeps its code and sends with this client (pipelining, pooled
 * connections, the client's TLS and AUTH settings).
 *
 * <p>The envelope comes from the message as Jakarta Mail's transport takes it: the sender is the
 * {@code Sender} header, else the first {@code From}; the recipients are To, Cc and Bcc. Bcc is
 * left out of the content. Messages given together are sent concurrently; each send waits at most
 * {@code timeout}.
 */
public final class SmtpClientMailSender implements JavaMailSender {

  private static final String[] IGNORED_HEADERS = {"Bcc", "Content-Length"};

  private final SmtpClientPool pool;
  private final Session session;
  private final Duration timeout;

  public SmtpClientMailSender(SmtpClientPool pool, Duration timeout) {
    this.pool = pool;
    this.session = Session.getInstance(new Properties());
    this.timeout = timeout;
  }

  @Override
  public MimeMessage createMimeMessage() {
    return new MimeMessage(session);
  }

  @Override
  public MimeMessage createMimeMessage(InputStream contentStream) throws MailException {
    try {
      return new MimeMessage(session, contentStream);
    } catch (MessagingException e) {
      throw new MailParseException("cannot parse the MIME message", e);
    }
  }

  @Override
  public void send(SimpleMailMessage... simpleMessages) throws MailException {
    List<MimeMessage> mime = new ArrayList<>(simpleMessages.length);
    for (SimpleMailMessage simple : simpleMessages) {
      MimeMailMessage message = new MimeMailMessage(createMimeMessage());
      simple.copyTo(message);
      mime.add(message.getMimeMessage());
    }
    send(mime.toArray(new MimeMessage[0]));
  }

  @Override
  public void send(MimeMessage... mimeMessages) throws MailException {
    Map<Object, CompletableFuture<?>> sends = new LinkedHashMap<>();
    Map<Object, Exception> failed = new LinkedHashMap<>();
    for (MimeMessage message : mimeMessages) {
      try {
        sends.put(message, pool.send(envelope(message), content(message)).toCompletableFuture());
      } catch (MessagingException | IOException | IllegalArgumentException e) {
        failed.put(
            message,
            new MailPreparationException("cannot prepare the message: " + e.getMessage(), e));
      }
    }
    sends.forEach(
        (message, send) -> {
          try {
            send.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            failed.put(message, cause instanceof Exception ex ? ex : e);
          } catch (TimeoutException e) {
            failed.put(message, e);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failed.put(message, e);
          }
        });
    if (failed.isEmpty()) {
      return;
    }
    for (Exception e : failed.values()) {
      if (e instanceof SmtpReplyException r && r.command().equals("AUTH")) {
        throw new MailAuthenticationException(e);
      }
    }
    throw new MailSendException(failed);
  }

  private static MailEnvelope envelope(MimeMessage message) throws MessagingException {
    Address sender = message.getSender();
    if (sender == null) {
      Address[] from = message.getFrom();
      sender = from == null || from.length == 0 ? null : from[0];
    }
    Address[] recipients = message.getAllRecipients();
    if (recipients == null || recipients.length == 0) {
      throw new MessagingException("the message has no recipients");
    }
    List<Mailbox> to = new ArrayList<>(recipients.length);
    for (Address a : recipients) {
      to.add(Mailbox.parse(((InternetAddress) a).getAddress()));
    }
    ReversePath from =
        sender == null
            ? ReversePath.NULL
            : ReversePath.of(Mailbox.parse(((InternetAddress) sender).getAddress()));
    return new MailEnvelope(from, to, MailParameters.EMPTY, MailParameters.EMPTY);
  }

  private static MessageContent content(MimeMessage message)
      throws MessagingException, IOException {
    if (message.getSentDate() == null) {
      message.setSentDate(new Date());
    }
    String messageId = message.getMessageID();
    message.saveChanges();
    if (messageId != null) {
      message.setHeader("Message-ID", messageId);
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    message.writeTo(out, IGNORED_HEADERS);
    return MessageContent.of(out.toByteArray());
  }
}
