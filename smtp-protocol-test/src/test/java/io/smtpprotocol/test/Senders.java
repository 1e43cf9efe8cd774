package io.smtpprotocol.test;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.util.Properties;

/** Jakarta Mail (Angus) sessions and messages aimed at one test server. */
final class Senders {

  private Senders() {}

  /** Plain SMTP, no STARTTLS, short timeouts. */
  static Properties plain(SmtpTestServer server) {
    Properties p = new Properties();
    p.put("mail.smtp.host", server.host());
    p.put("mail.smtp.port", String.valueOf(server.port()));
    p.put("mail.smtp.localhost", "client.test");
    p.put("mail.smtp.connectiontimeout", "5000");
    p.put("mail.smtp.timeout", "5000");
    p.put("mail.smtp.writetimeout", "5000");
    return p;
  }

  /** STARTTLS required, trusting only the server's generated certificate. */
  static Properties startTls(SmtpTestServer server) {
    Properties p = plain(server);
    p.put("mail.smtp.starttls.enable", "true");
    p.put("mail.smtp.starttls.required", "true");
    p.put("mail.smtp.ssl.socketFactory", server.sslContext().getSocketFactory());
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    return p;
  }

  /** Implicit TLS (SMTPS), trusting only the server's generated certificate. */
  static Properties implicitTls(SmtpTestServer server) {
    Properties p = plain(server);
    p.put("mail.smtp.ssl.enable", "true");
    p.put("mail.smtp.ssl.socketFactory", server.sslContext().getSocketFactory());
    p.put("mail.smtp.ssl.checkserveridentity", "true");
    return p;
  }

  static Properties withAuth(Properties p) {
    p.put("mail.smtp.auth", "true");
    return p;
  }

  static MimeMessage message(Session session, String from, String to, String subject, String text)
      throws MessagingException {
    MimeMessage m = new MimeMessage(session);
    m.setFrom(new InternetAddress(from));
    m.setRecipients(Message.RecipientType.TO, InternetAddress.parse(to));
    m.setSubject(subject, "UTF-8");
    m.setText(text, "UTF-8");
    return m;
  }

  /** Sends one text message without AUTH. */
  static void send(Properties p, String from, String to, String subject, String text)
      throws MessagingException {
    Session session = Session.getInstance(p);
    Transport.send(message(session, from, to, subject, text));
  }

  /** Sends one text message with AUTH as {@code user}. */
  static void send(
      Properties p, String user, String password, String from, String to, String subject)
      throws MessagingException {
    Session session = Session.getInstance(withAuth(p));
    Transport.send(message(session, from, to, subject, "hello"), user, password);
  }
}
