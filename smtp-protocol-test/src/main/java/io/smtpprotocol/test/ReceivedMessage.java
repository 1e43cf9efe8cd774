package io.smtpprotocol.test;

import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.tls.TlsInfo;
import jakarta.mail.Address;
import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/**
 * One message the test server accepted: its envelope, its exact octets, what the connection had
 * negotiated (TLS, AUTH), and the parts of its MIME content that tests usually check.
 *
 * <p>The content is parsed with Jakarta Mail when the message arrives. A message that is not valid
 * MIME is still recorded; its parsed accessors then answer {@code null} or empty, and {@link
 * #parseError()} says why.
 */
public final class ReceivedMessage {

  private final int number;
  private final String mailFrom;
  private final List<String> recipients;
  private final byte[] raw;
  private final Instant receivedAt;
  private final SessionInfo session;
  private final @Nullable String subject;
  private final @Nullable String from;
  private final List<String> to;
  private final List<String> cc;
  private final @Nullable String text;
  private final @Nullable String html;
  private final List<Attachment> attachments;
  private final @Nullable String parseError;

  /**
   * A part of the message that is an attachment: a part with {@code Content-Disposition:
   * attachment} or with a file name.
   *
   * @param fileName the decoded file name, or {@code null} when the part has none
   * @param contentType the MIME type without parameters, in lower case, e.g. {@code
   *     application/pdf}
   * @param size the decoded size in octets (after base64 or quoted-printable)
   */
  public record Attachment(@Nullable String fileName, String contentType, long size) {}

  ReceivedMessage(int number, SessionInfo session, Envelope envelope, byte[] raw) {
    this.number = number;
    this.session = session;
    this.mailFrom = envelope.from().address();
    List<String> rcpts = new ArrayList<>();
    envelope.mailboxes().forEach(m -> rcpts.add(m.address()));
    this.recipients = List.copyOf(rcpts);
    this.raw = raw;
    this.receivedAt = Instant.now();
    Parsed parsed = new Parsed();
    try {
      parsed.read(parse(raw));
    } catch (MessagingException | RuntimeException e) {
      parsed.failed(e);
    }
    this.subject = parsed.subject;
    this.from = parsed.from;
    this.to = List.copyOf(parsed.to);
    this.cc = List.copyOf(parsed.cc);
    this.text = parsed.text;
    this.html = parsed.html;
    this.attachments = List.copyOf(parsed.attachments);
    this.parseError = parsed.error;
  }

  private static MimeMessage parse(byte[] raw) throws MessagingException {
    Properties properties = new Properties();
    properties.setProperty("mail.mime.allowutf8", "true"); // SMTPUTF8 headers (RFC 6532)
    properties.setProperty("mail.mime.address.strict", "false");
    return new MimeMessage(Session.getInstance(properties), new ByteArrayInputStream(raw));
  }

  /**
   * The number of this message among those whose content arrived since the server started or was
   * reset, from 1: the {@code number} of {@link SmtpTestServer#replyToMessage}.
   */
  public int number() {
    return number;
  }

  /** The envelope sender (MAIL FROM), or the empty string for the null sender {@code <>}. */
  public String mailFrom() {
    return mailFrom;
  }

  /** The envelope recipients (RCPT TO) the server accepted, in order. */
  public List<String> recipients() {
    return recipients;
  }

  /** The message exactly as received, after dot-unstuffing: headers and body. */
  public byte[] raw() {
    return raw.clone();
  }

  /** {@link #raw()} decoded as UTF-8 (which ASCII messages are too). */
  public String rawString() {
    return new String(raw, StandardCharsets.UTF_8);
  }

  /** The size of the message in octets. */
  public int size() {
    return raw.length;
  }

  /**
   * A new Jakarta Mail message parsed from {@link #raw()}, for anything the accessors here lack.
   */
  public MimeMessage mimeMessage() {
    try {
      return parse(raw);
    } catch (MessagingException e) {
      throw new IllegalStateException("cannot parse the message: " + e.getMessage(), e);
    }
  }

  /** The {@code Subject} header, decoded (RFC 2047), or {@code null} without one. */
  public @Nullable String subject() {
    return subject;
  }

  /** The address of the first {@code From} header mailbox, or {@code null} without one. */
  public @Nullable String from() {
    return from;
  }

  /** The addresses in the {@code To} header, in order. */
  public List<String> to() {
    return to;
  }

  /** The addresses in the {@code Cc} header, in order. */
  public List<String> cc() {
    return cc;
  }

  /** The values of the header of this name (ignoring case), decoded and unfolded, in order. */
  public List<String> headers(String name) {
    try {
      String[] values = mimeMessage().getHeader(name);
      if (values == null) {
        return List.of();
      }
      List<String> decoded = new ArrayList<>();
      for (String v : values) {
        decoded.add(decode(MimeUtility.unfold(v)));
      }
      return List.copyOf(decoded);
    } catch (MessagingException e) {
      return List.of();
    }
  }

  /** The first value of the header of this name (ignoring case), decoded, or {@code null}. */
  public @Nullable String header(String name) {
    List<String> values = headers(name);
    return values.isEmpty() ? null : values.get(0);
  }

  /**
   * The first {@code text/plain} part that is not an attachment (the whole body for a plain text
   * message), decoded to a string, or {@code null} when there is none. For a message that is one
   * text part, the line break that ends every SMTP message is not part of the text.
   */
  public @Nullable String text() {
    return text;
  }

  /** The first {@code text/html} part that is not an attachment, or {@code null}. */
  public @Nullable String html() {
    return html;
  }

  /** The attachments, in the order they appear. */
  public List<Attachment> attachments() {
    return attachments;
  }

  /** Why the content could not be parsed as MIME, if it could not. */
  public Optional<String> parseError() {
    return Optional.ofNullable(parseError);
  }

  /** When the message's content had fully arrived. */
  public Instant receivedAt() {
    return receivedAt;
  }

  /** The connection as the server saw it when the message arrived. */
  public SessionInfo session() {
    return session;
  }

  /** Whether the message came over TLS (STARTTLS or implicit TLS). */
  public boolean isTls() {
    return session.isTls();
  }

  /** The negotiated TLS protocol and cipher, empty on a plaintext connection. */
  public Optional<TlsInfo> tls() {
    return Optional.ofNullable(session.tls());
  }

  /** The user that AUTH established, empty when the client did not authenticate. */
  public Optional<String> authenticatedUser() {
    return Optional.ofNullable(session.authenticatedUser());
  }

  /** The host name the client gave in HELO or EHLO, or {@code null}. */
  public @Nullable String helo() {
    return session.hello() == null ? null : session.hello().domain();
  }

  /** The address of the client that sent the message. */
  public SocketAddress clientAddress() {
    return session.remoteAddress();
  }

  /** Writes the raw message, for example to save it as an {@code .eml} file. */
  public void writeTo(OutputStream out) throws IOException {
    out.write(raw);
  }

  @Override
  public String toString() {
    return "ReceivedMessage[#"
        + number
        + " from <"
        + mailFrom
        + "> to "
        + recipients
        + ", subject="
        + subject
        + ", "
        + raw.length
        + " octets"
        + (isTls() ? ", TLS" : "")
        + "]";
  }

  private static String decode(String value) {
    try {
      return MimeUtility.decodeText(value);
    } catch (IOException e) {
      return value;
    }
  }

  /** What parsing found; fields stay at their empty values for whatever fails. */
  private static final class Parsed {
    @Nullable String subject;
    @Nullable String from;
    List<String> to = new ArrayList<>();
    List<String> cc = new ArrayList<>();
    @Nullable String text;
    @Nullable String html;
    List<Attachment> attachments = new ArrayList<>();

    @Nullable String error;

    /** Reads each piece on its own, so that one bad header does not hide the others. */
    void read(MimeMessage message) {
      try {
        subject = message.getSubject();
      } catch (MessagingException | RuntimeException e) {
        failed(e);
      }
      try {
        Address[] senders = message.getFrom();
        if (senders != null && senders.length > 0) {
          from = address(senders[0]);
        }
      } catch (MessagingException | RuntimeException e) {
        failed(e);
      }
      try {
        to = addresses(message.getRecipients(MimeMessage.RecipientType.TO));
      } catch (MessagingException | RuntimeException e) {
        failed(e);
      }
      try {
        cc = addresses(message.getRecipients(MimeMessage.RecipientType.CC));
      } catch (MessagingException | RuntimeException e) {
        failed(e);
      }
      try {
        walk(message, 0);
      } catch (MessagingException | IOException | RuntimeException e) {
        failed(e);
      }
    }

    void failed(Exception e) {
      if (error == null) {
        error = e.toString();
      }
    }

    private void walk(Part part, int depth) throws MessagingException, IOException {
      if (depth > 32) {
        return; // nesting this deep is not a real message; stop rather than recurse on
      }
      String disposition = part.getDisposition();
      String fileName = fileName(part);
      boolean attachment =
          Part.ATTACHMENT.equalsIgnoreCase(disposition)
              || fileName != null && !part.isMimeType("multipart/*");
      if (attachment) {
        attachments.add(new Attachment(fileName, baseType(part), decodedSize(part)));
      } else if (part.isMimeType("multipart/*")) {
        Object content = part.getContent();
        if (content instanceof Multipart multipart) {
          for (int i = 0; i < multipart.getCount(); i++) {
            BodyPart child = multipart.getBodyPart(i);
            walk(child, depth + 1);
          }
        }
      } else if (part.isMimeType("text/plain") && text == null) {
        text = content(part, depth);
      } else if (part.isMimeType("text/html") && html == null) {
        html = content(part, depth);
      } else if (part.isMimeType("message/rfc822") || !part.isMimeType("text/*")) {
        attachments.add(new Attachment(null, baseType(part), decodedSize(part)));
      }
    }

    /**
     * A text part's content. The message as a whole always ends with a line break, which SMTP adds
     * when the sender's text has none; for a message that is one text part it is not taken as part
     * of the text.
     */
    private static @Nullable String content(Part part, int depth)
        throws MessagingException, IOException {
      String s = Objects.toString(part.getContent(), null);
      if (s != null && depth == 0) {
        if (s.endsWith("\r\n")) {
          return s.substring(0, s.length() - 2);
        }
        if (s.endsWith("\n")) {
          return s.substring(0, s.length() - 1);
        }
      }
      return s;
    }

    private static @Nullable String fileName(Part part) throws MessagingException {
      String name = part.getFileName();
      return name == null ? null : decode(name);
    }

    private static String baseType(Part part) throws MessagingException {
      String type = part.getContentType();
      if (type == null) {
        return "application/octet-stream";
      }
      int semicolon = type.indexOf(';');
      return (semicolon < 0 ? type : type.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
    }

    private static long decodedSize(Part part) throws MessagingException, IOException {
      try (InputStream in = part.getInputStream()) {
        return in.transferTo(OutputStream.nullOutputStream());
      }
    }

    private static List<String> addresses(Address @Nullable [] list) {
      List<String> out = new ArrayList<>();
      if (list != null) {
        for (Address a : list) {
          out.add(address(a));
        }
      }
      return out;
    }

    private static String address(Address a) {
      return a instanceof InternetAddress ia && ia.getAddress() != null
          ? ia.getAddress()
          : a.toString();
    }
  }
}
