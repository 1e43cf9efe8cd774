package io.smtpprotocol.client;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * A message to send (header and body as in RFC 5322). The client reads it in chunks while it
 * writes, so a {@link Path} or an {@link InputStream} is never held whole in memory; line endings
 * are normalised to CRLF and lines starting with a dot are stuffed.
 *
 * <p>An {@link InputStream} is read on the connection's event loop, chunk by chunk as the socket
 * takes them, as Netty's own chunked inputs are: give one that does not block for long (a file, a
 * buffer), or a {@link Path}.
 */
public final class MessageContent {

  /** Whether the content holds octets above 127 (RFC 6152). */
  public enum Encoding {
    SEVEN_BIT,
    EIGHT_BIT,
    /** Not known: the client declares {@code BODY=8BITMIME} when the server offers it. */
    UNKNOWN
  }

  private final byte @org.jspecify.annotations.Nullable [] bytes;
  private final @org.jspecify.annotations.Nullable Path path;
  private final @org.jspecify.annotations.Nullable InputStream stream;
  private final long size;
  private final Encoding encoding;

  private MessageContent(
      byte @org.jspecify.annotations.Nullable [] bytes,
      @org.jspecify.annotations.Nullable Path path,
      @org.jspecify.annotations.Nullable InputStream stream,
      long size,
      Encoding encoding) {
    this.bytes = bytes;
    this.path = path;
    this.stream = stream;
    this.size = size;
    this.encoding = encoding;
  }

  /** Content in memory; its encoding is found by looking at it. */
  public static MessageContent of(byte[] message) {
    return new MessageContent(message, null, null, message.length, scan(message));
  }

  /** Content as text, encoded in UTF-8. */
  public static MessageContent of(String message) {
    return of(message.getBytes(StandardCharsets.UTF_8));
  }

  /** Content in a file, read as it is sent. */
  public static MessageContent of(Path file) {
    Objects.requireNonNull(file, "file");
    try {
      return new MessageContent(null, file, null, Files.size(file), Encoding.UNKNOWN);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the size of " + file, e);
    }
  }

  /**
   * Content from a stream, read as it is sent and closed at the end; it can be sent once.
   *
   * @param size its length in octets for {@code SIZE=}, or -1 when unknown
   */
  public static MessageContent of(InputStream stream, long size, Encoding encoding) {
    Objects.requireNonNull(stream, "stream");
    Objects.requireNonNull(encoding, "encoding");
    return new MessageContent(null, null, stream, size < 0 ? -1 : size, encoding);
  }

  /** The size in octets before line endings are normalised, if known. */
  public OptionalLong size() {
    return size < 0 ? OptionalLong.empty() : OptionalLong.of(size);
  }

  /** Whether the content holds 8-bit octets. */
  public Encoding encoding() {
    return encoding;
  }

  /** The content when it is held in memory. */
  byte @org.jspecify.annotations.Nullable [] inMemory() {
    return bytes;
  }

  /** A stream over the content; the caller closes it. */
  InputStream open() throws IOException {
    if (bytes != null) {
      return new ByteArrayInputStream(bytes);
    }
    if (path != null) {
      return Files.newInputStream(path);
    }
    return Objects.requireNonNull(stream);
  }

  private static Encoding scan(byte[] message) {
    for (byte b : message) {
      if (b < 0) {
        return Encoding.EIGHT_BIT;
      }
    }
    return Encoding.SEVEN_BIT;
  }

  @Override
  public String toString() {
    return "MessageContent[" + (size < 0 ? "?" : size) + " octets, " + encoding + "]";
  }
}
