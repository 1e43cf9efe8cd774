package io.smtpprotocol.demo.maildir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantLock;
import java.util.zip.CRC32C;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The envelopes of the store's messages, one append-only file: one line per message, {@code CRC SP
 * JSON LF}, where CRC is the CRC-32C of the JSON text in eight hexadecimal digits.
 *
 * <p>An append is written at once, in one call, but made durable only by {@link #force}: a delivery
 * appends its record and then waits for a round of {@link GroupSync}, which forces the journal once
 * for every record appended before it started. That is one fsync for a batch of messages instead of
 * one file and one fsync per message.
 *
 * <p>On opening, the file is read from the start and every intact record is kept. A record that is
 * cut short (the process stopped while writing it) or whose checksum does not match is skipped; a
 * cut-short record at the end is cut off the file, so that the next append starts on a line of its
 * own.
 */
final class EnvelopeJournal implements GroupSync.Target, AutoCloseable {

  private static final int CRC_DIGITS = 8;
  private static final int READ_CHUNK = 64 * 1024;

  private final Path file;
  private final JsonMapper json;
  private final ReentrantLock lock = new ReentrantLock();
  private final FileChannel channel;
  private int skipped;

  private EnvelopeJournal(Path file, JsonMapper json, FileChannel channel) {
    this.file = file;
    this.json = json;
    this.channel = channel;
  }

  /**
   * Opens the journal at {@code file}, creating it (durably) when missing, and puts the envelope of
   * every intact record into {@code into}, by message id; a later record of the same id wins.
   */
  static EnvelopeJournal open(Path file, JsonMapper json, Map<String, StoredMessage> into)
      throws IOException {
    boolean created = !Files.exists(file);
    FileChannel channel =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    EnvelopeJournal journal = new EnvelopeJournal(file, json, channel);
    try {
      long end = journal.replay(into);
      if (end < channel.size()) {
        channel.truncate(end);
        channel.force(false);
      }
      channel.position(end);
      if (created) {
        channel.force(false);
        GroupSync.fsyncDirectory(Objects.requireNonNull(file.toAbsolutePath().getParent()));
      }
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return journal;
  }

  /** Appends the record of {@code message}; durable after the next {@link #force}. */
  void append(StoredMessage message) throws IOException {
    ByteBuffer record = ByteBuffer.wrap(record(message));
    lock.lock();
    try {
      while (record.hasRemaining()) {
        channel.write(record);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Makes every record appended so far durable (data and size, as for any appended file). */
  @Override
  public void force() throws IOException {
    channel.force(false);
  }

  /** Removes every record, durably. */
  void clear() throws IOException {
    lock.lock();
    try {
      channel.truncate(0);
      channel.position(0);
      channel.force(false);
    } finally {
      lock.unlock();
    }
  }

  /** How many records were skipped when the journal was opened. */
  int skipped() {
    return skipped;
  }

  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      channel.close();
    } finally {
      lock.unlock();
    }
  }

  static byte[] record(StoredMessage message) {
    byte[] body = EnvelopeJson.toJson(message); // ends with LF
    CRC32C crc = new CRC32C();
    crc.update(body, 0, body.length - 1);
    byte[] record = new byte[CRC_DIGITS + 1 + body.length];
    byte[] digits =
        HexFormat.of().toHexDigits((int) crc.getValue()).getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(digits, 0, record, 0, CRC_DIGITS);
    record[CRC_DIGITS] = ' ';
    System.arraycopy(body, 0, record, CRC_DIGITS + 1, body.length);
    return record;
  }

  /** Reads every record into {@code into}; returns the offset just after the last whole line. */
  private long replay(Map<String, StoredMessage> into) throws IOException {
    LineBuffer line = new LineBuffer();
    long lineStart = 0;
    long offset = 0;
    Map<String, StoredMessage> found = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] chunk = new byte[READ_CHUNK];
      int n;
      while ((n = in.read(chunk)) >= 0) {
        int from = 0;
        for (int i = 0; i < n; i++) {
          if (chunk[i] == '\n') {
            line.append(chunk, from, i - from);
            StoredMessage message = parse(line.bytes(), line.length());
            if (message == null) {
              skipped++;
            } else {
              found.put(message.id(), message);
            }
            line.reset();
            from = i + 1;
            lineStart = offset + i + 1;
          }
        }
        line.append(chunk, from, n - from);
        offset += n;
      }
    }
    if (line.length() > 0) {
      skipped++; // cut short: the process stopped while appending it
    }
    into.putAll(found);
    return lineStart;
  }

  private @Nullable StoredMessage parse(byte[] bytes, int length) {
    if (length <= CRC_DIGITS + 1 || bytes[CRC_DIGITS] != ' ') {
      return null;
    }
    long expected;
    try {
      expected =
          HexFormat.fromHexDigits(new String(bytes, 0, CRC_DIGITS, StandardCharsets.US_ASCII))
              & 0xffffffffL;
    } catch (IllegalArgumentException e) {
      return null;
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, CRC_DIGITS + 1, length - CRC_DIGITS - 1);
    if (crc.getValue() != expected) {
      return null;
    }
    try {
      StoredMessage message =
          json.readValue(bytes, CRC_DIGITS + 1, length - CRC_DIGITS - 1, StoredMessage.class);
      return MessageIds.isValid(message.id()) ? message : null;
    } catch (JacksonException | IllegalArgumentException | NullPointerException e) {
      return null;
    }
  }

  /** A growable byte array for one line. */
  private static final class LineBuffer {
    private byte[] bytes = new byte[1024];
    private int length;

    void append(byte[] from, int off, int len) {
      if (length + len > bytes.length) {
        bytes = java.util.Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + len));
      }
      System.arraycopy(from, off, bytes, length, len);
      length += len;
    }

    byte[] bytes() {
      return bytes;
    }

    int length() {
      return length;
    }

    void reset() {
      length = 0;
    }
  }
}
