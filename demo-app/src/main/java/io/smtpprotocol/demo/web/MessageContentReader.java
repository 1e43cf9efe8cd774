package io.smtpprotocol.demo.web;

import jakarta.mail.BodyPart;
import jakarta.mail.Header;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.SharedFileInputStream;
import java.io.IOException;
import java.io.UnsupportedEncodingException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Properties;
import org.jspecify.annotations.Nullable;

/** Reads the header fields and the text of a stored message with Jakarta Mail. */
final class MessageContentReader {

  static final int MAX_TEXT = 256 * 1024;

  private final Session session;

  MessageContentReader() {
    Properties properties = new Properties();
    properties.setProperty("mail.mime.allowutf8", "true");
    this.session = Session.getInstance(properties);
  }

  MessageContent read(Path file) throws IOException {
    try (SharedFileInputStream in = new SharedFileInputStream(file.toFile())) {
      MimeMessage message = new MimeMessage(session, in);
      List<HeaderField> headers = new ArrayList<>();
      Enumeration<Header> all = message.getAllHeaders();
      while (all.hasMoreElements()) {
        Header header = all.nextElement();
        headers.add(new HeaderField(header.getName(), decode(header.getValue())));
      }
      Part text = textPart(message, "text/plain");
      if (text == null) {
        text = textPart(message, "text/*");
      }
      if (text == null) {
        return new MessageContent(headers, "", "", false);
      }
      String body = String.valueOf(text.getContent());
      boolean truncated = body.length() > MAX_TEXT;
      String type = text.getContentType() == null ? "" : text.getContentType();
      return new MessageContent(
          headers, truncated ? body.substring(0, MAX_TEXT) : body, type, truncated);
    } catch (MessagingException e) {
      throw new IOException("cannot parse the message: " + e.getMessage(), e);
    }
  }

  private static String decode(@Nullable String value) {
    if (value == null) {
      return "";
    }
    String unfolded = MimeUtility.unfold(value).strip();
    try {
      return MimeUtility.decodeText(unfolded);
    } catch (UnsupportedEncodingException | RuntimeException e) {
      return unfolded;
    }
  }

  private static @Nullable Part textPart(Part part, String type)
      throws MessagingException, IOException {
    if (part.isMimeType(type) && !Part.ATTACHMENT.equalsIgnoreCase(part.getDisposition())) {
      return part;
    }
    if (part.isMimeType("multipart/*") && part.getContent() instanceof Multipart multipart) {
      for (int i = 0; i < multipart.getCount(); i++) {
        BodyPart child = multipart.getBodyPart(i);
        Part found = textPart(child, type);
        if (found != null) {
          return found;
        }
      }
    }
    return null;
  }
}
