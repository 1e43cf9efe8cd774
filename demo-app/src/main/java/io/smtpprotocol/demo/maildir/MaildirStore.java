package io.smtpprotocol.demo.maildir;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * A Maildir folder that messages are delivered into, one file per message.
 *
 * <p>Layout under the root: the Maildir's own {@code tmp/}, {@code new/} and {@code cur/}, where
 * message files have LF line endings as mail readers expect; {@code envelope/journal}, the envelope
 * of each message (sender, recipients, client, TLS, user, time, exact size), one record per message
 * appended to one file ({@link EnvelopeJournal}) and read back when the store opens; and {@code
 * raw/ID}, an exact copy of the received bytes, kept only for the rare message that cannot be
 * rebuilt from its Maildir file. Maildir readers look only at {@code tmp}, {@code new} and {@code
 * cur} (and at dot-folders, which these are not). Envelopes kept as {@code envelope/ID.json} files
 * by earlier versions are still read.
 *
 * <p>Exact bytes: the Maildir file is the received message with every CRLF turned into LF. When the
 * message held no bare LF, turning every LF back into CRLF gives the received bytes exactly (bare
 * CRs are kept as they are in both directions), so no second copy is needed. That is every message
 * the server accepts by DATA with its default strict line endings. A message that does hold a bare
 * LF (possible with lenient line endings or BDAT) gets an exact copy in {@code raw/}, started at
 * the first bare LF from the part already written, so the body is still read once and never held in
 * memory.
 *
 * <p>Durability: {@link #deliver} writes the message into {@code tmp/}, fsyncs it (data and size:
 * {@code fdatasync}), renames it into {@code new/}, appends its envelope to the journal, and then
 * waits for one round of {@link GroupSync} that fsyncs {@code new/} and the journal; only then does
 * it return, so a caller that acknowledges after it returns acknowledges a message and envelope
 * that are on disk. The rounds are shared between concurrent deliveries, so a delivery costs one
 * fsync of its own and a share of the rest, and waits for about two file system commits however
 * many others run beside it.
 */
public final class MaildirStore implements AutoCloseable {

  private static final String JOURNAL = "journal";
  private static final int READ_CHUNK = 16 * 1024;
  private static final int WRITE_BUFFER = 32 * 1024;
  private static final Comparator<StoredMessage> NEWEST_FIRST =
      Comparator.comparing(StoredMessage::receivedAt).thenComparing(StoredMessage::id).reversed();

  private final Path root;
  private final Path tmp;
  private final Path newDir;
  private final Path cur;
  private final Path envelopes;
  private final Path raws;
  private final GroupSync.Directory newTarget;
  private final GroupSync.Directory rawTarget;
  private final GroupSync groupSync;
  private final ExecutorService fsyncs;
  private final EnvelopeJournal journal;
  private final JsonMapper json;
  private final String host;
  private final long pid = ProcessHandle.current().pid();
  private final AtomicLong counter = new AtomicLong();

  /** The envelopes of the journal and of earlier {@code ID.json} files read so far, by id. */
  private final Map<String, StoredMessage> envelopeIndex = new ConcurrentHashMap<>();

  /**
   * Opens the Maildir at {@code root}, creating its directories when missing, and reads the
   * envelope journal.
   */
  public MaildirStore(Path root, JsonMapper json) throws IOException {
    this.root = root.toAbsolutePath().normalize();
    this.tmp = this.root.resolve("tmp");
    this.newDir = this.root.resolve("new");
    this.cur = this.root.resolve("cur");
    this.envelopes = this.root.resolve("envelope");
    this.raws = this.root.resolve("raw");
    for (Path dir : List.of(tmp, newDir, cur, envelopes, raws)) {
      Files.createDirectories(dir);
    }
    this.newTarget = new GroupSync.Directory(newDir);
    this.rawTarget = new GroupSync.Directory(raws);
    this.fsyncs =
        Executors.newCachedThreadPool(
            task -> {
              Thread thread = new Thread(task, "maildir-fsync");
              thread.setDaemon(true);
              return thread;
            });
    this.groupSync = new GroupSync(fsyncs);
    this.json = json;
    this.host = hostName();
    try {
      this.journal = EnvelopeJournal.open(envelopes.resolve(JOURNAL), json, envelopeIndex);
    } catch (IOException | RuntimeException e) {
      fsyncs.shutdown();
      throw e;
    }
  }

  /** The Maildir folder. */
  public Path root() {
    return root;
  }

  /**
   * Delivers one message: reads {@code body} to its end and returns once the message and its
   * envelope are on disk. If reading or writing fails, nothing is left behind and the exception is
   * thrown.
   */
  public StoredMessage deliver(Delivery delivery, InputStream body) throws IOException {
    String id = nextId();
    Path tmpMessage = tmp.resolve(id);
    Path tmpRaw = tmp.resolve(id + ".raw");
    List<Path> placed = new ArrayList<>(2);
    boolean done = false;
    try {
      Written written;
      try (FileChannel channel = createNew(tmpMessage)) {
        written = write(body, channel, tmpMessage, tmpRaw);
        // a new file: its data and size are all there is to make durable, its name is made so
        // by the rename below and the fsync of new/
        channel.force(false);
      }
      StoredMessage message =
          new StoredMessage(
              id,
              delivery.from(),
              delivery.recipients(),
              written.size(),
              written.subject(),
              delivery.receivedAt(),
              delivery.remoteAddress(),
              delivery.remotePort(),
              delivery.tls(),
              delivery.authenticatedUser());
      if (written.rawCopy()) {
        placed.add(move(tmpRaw, raws.resolve(id)));
      }
      placed.add(move(tmpMessage, newDir.resolve(id)));
      // appended after the rename: a clear() that truncates the journal in between then finds the
      // file in new/ and removes it too, so no message is left without its envelope
      journal.append(message);
      envelopeIndex.put(id, message);
      groupSync.sync(
          written.rawCopy() ? List.of(journal, rawTarget, newTarget) : List.of(journal, newTarget));
      done = true;
      return message;
    } finally {
      if (!done) {
        for (Path path : List.of(tmpMessage, tmpRaw)) {
          Files.deleteIfExists(path);
        }
        for (Path path : placed) {
          Files.deleteIfExists(path);
        }
        envelopeIndex.remove(id);
      }
    }
  }

  /** The messages, newest first. */
  public List<StoredMessage> list() throws IOException {
    Set<String> present = new HashSet<>();
    List<StoredMessage> messages = new ArrayList<>();
    for (Path dir : List.of(newDir, cur)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          String id = MessageIds.uniqueName(entry.getFileName().toString());
          if (MessageIds.isValid(id) && present.add(id)) {
            describe(id, entry).ifPresent(messages::add);
          }
        }
      }
    }
    messages.sort(NEWEST_FIRST);
    return messages;
  }

  /** The message with this id, if there is one. */
  public Optional<StoredMessage> find(String id) throws IOException {
    Optional<Path> file = file(id);
    return file.isPresent() ? describe(id, file.get()) : Optional.empty();
  }

  /** The Maildir file of this message (LF line endings), if there is one. */
  public Optional<Path> file(String id) throws IOException {
    if (!MessageIds.isValid(id)) {
      return Optional.empty();
    }
    Path inNew = newDir.resolve(id);
    if (Files.isRegularFile(inNew) && newDir.equals(inNew.getParent())) {
      return Optional.of(inNew);
    }
    // a mail reader that has seen the message moved it to cur/ as ID:2,FLAGS
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(cur, id + ":*")) {
      for (Path entry : entries) {
        if (Files.isRegularFile(entry) && cur.equals(entry.getParent())) {
          return Optional.of(entry);
        }
      }
    }
    return Optional.empty();
  }

  /** The exact bytes of this message as received, if there is such a message. */
  public Optional<RawMessage> raw(String id) throws IOException {
    Optional<Path> file = file(id);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    Optional<StoredMessage> message = describe(id, file.get());
    long size = message.map(StoredMessage::size).orElse(-1L);
    Path copy = raws.resolve(id);
    if (Files.isRegularFile(copy)) {
      return Optional.of(new RawMessage(size, copy, false));
    }
    return Optional.of(new RawMessage(size, file.get(), true));
  }

  /**
   * Deletes every message and empties the envelope journal (deliveries in progress are not
   * affected).
   */
  public void clear() throws IOException {
    // in this order: a delivery appends its envelope after its file is in new/, and indexes it
    // after appending, so any envelope that survives belongs to a file that survives
    envelopeIndex.clear();
    journal.clear();
    for (Path dir : List.of(newDir, cur, envelopes, raws)) {
      try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
        for (Path entry : entries) {
          if (Files.isRegularFile(entry) && !entry.getFileName().toString().equals(JOURNAL)) {
            Files.deleteIfExists(entry);
          }
        }
      }
    }
  }

  // ---- delivery ----

  private record Written(long size, String subject, boolean rawCopy) {}

  /**
   * Streams the body into {@code channel} with LF line endings, keeping an exact copy in {@code
   * tmpRaw} from the first bare LF on (see the class comment). The copy, if any, is fsynced here;
   * the message file is not.
   */
  private Written write(InputStream body, FileChannel channel, Path tmpMessage, Path tmpRaw)
      throws IOException {
    byte[] in = new byte[READ_CHUNK];
    byte[] out = new byte[WRITE_BUFFER];
    int buffered = 0;
    CrlfToLf converter = new CrlfToLf();
    HeaderCapture header = new HeaderCapture();
    long size = 0;
    FileChannel rawChannel = null;
    OutputStream raw = null;
    try {
      int n;
      while ((n = body.read(in, 0, in.length)) >= 0) {
        size += n;
        if (out.length - buffered < n + 1) {
          writeFully(channel, out, 0, buffered);
          buffered = 0;
        }
        boolean crBefore = converter.pendingCr();
        int m = converter.convert(in, 0, n, out, buffered);
        if (raw == null && converter.sawBareLf()) {
          // from this chunk on the Maildir copy cannot be turned back into the received bytes:
          // keep an exact copy, starting with the part written so far (which can be)
          writeFully(channel, out, 0, buffered);
          System.arraycopy(out, buffered, out, 0, m);
          buffered = 0;
          rawChannel = createNew(tmpRaw);
          raw = new BufferedOutputStream(Channels.newOutputStream(rawChannel), WRITE_BUFFER);
          try (InputStream written = Files.newInputStream(tmpMessage)) {
            LfToCrlf.transfer(written, raw);
          }
          if (crBefore) {
            raw.write('\r');
          }
        }
        if (raw != null) {
          raw.write(in, 0, n);
        }
        header.accept(out, buffered, m);
        buffered += m;
      }
      if (out.length - buffered < 1) {
        writeFully(channel, out, 0, buffered);
        buffered = 0;
      }
      buffered += converter.finish(out, buffered);
      writeFully(channel, out, 0, buffered);
      if (raw != null && rawChannel != null) {
        raw.flush();
        rawChannel.force(false);
      }
    } finally {
      if (rawChannel != null) {
        rawChannel.close();
      }
    }
    return new Written(size, header.subject(), raw != null);
  }

  private static void writeFully(FileChannel channel, byte[] bytes, int off, int len)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.wrap(bytes, off, len);
    while (buffer.hasRemaining()) {
      channel.write(buffer);
    }
  }

  private static FileChannel createNew(Path path) throws IOException {
    return FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
  }

  /** Stops the fsync pool and closes the journal; deliveries after this fail. */
  @Override
  public void close() throws IOException {
    fsyncs.shutdown();
    journal.close();
  }

  private static Path move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    return to;
  }

  /**
   * A unique name by the Maildir convention, {@code time.unique.host}: seconds, then microseconds,
   * process id, a per-store counter and random bits, then the host name.
   */
  private String nextId() {
    Instant now = Instant.now();
    int bits = ThreadLocalRandom.current().nextInt();
    return now.getEpochSecond()
        + ".M"
        + now.getNano() / 1000
        + "P"
        + pid
        + "Q"
        + counter.incrementAndGet()
        + "R"
        + HexFormat.of().toHexDigits(bits)
        + "."
        + host;
  }

  private static String hostName() {
    String name = null;
    try {
      name = Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.US_ASCII);
    } catch (IOException | UncheckedIOException e) {
      name = System.getenv("HOSTNAME");
    }
    String safe = name == null ? "" : name.strip().replaceAll("[^A-Za-z0-9.-]", "-");
    safe = safe.replaceAll("^[.-]+", "");
    return safe.isEmpty() ? "localhost" : safe.substring(0, Math.min(safe.length(), 200));
  }

  // ---- reading ----

  private Optional<StoredMessage> describe(String id, Path file) throws IOException {
    StoredMessage cached = envelopeIndex.get(id);
    if (cached != null) {
      return Optional.of(cached);
    }
    StoredMessage message = readEnvelope(id);
    if (message == null) {
      message = fromFileAlone(id, file);
      if (message == null) {
        return Optional.empty();
      }
    } else {
      envelopeIndex.put(id, message);
    }
    return Optional.of(message);
  }

  /** The envelope file written by earlier versions of the store, if there is one. */
  private @Nullable StoredMessage readEnvelope(String id) throws IOException {
    try {
      StoredMessage message =
          json.readValue(Files.readAllBytes(envelopes.resolve(id + ".json")), StoredMessage.class);
      return message.id().equals(id) ? message : null;
    } catch (NoSuchFileException e) {
      return null;
    } catch (JacksonException e) {
      return null;
    }
  }

  /**
   * A message put into the Maildir by something else has no envelope: show what its file says (the
   * size of its bytes with CRLF line endings, the time of the file).
   */
  private @Nullable StoredMessage fromFileAlone(String id, Path file) throws IOException {
    long size = 0;
    Instant time;
    HeaderCapture header = new HeaderCapture();
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buffer = new byte[READ_CHUNK];
      int n;
      while ((n = in.read(buffer)) >= 0) {
        size += n;
        for (int i = 0; i < n; i++) {
          if (buffer[i] == '\n') {
            size++;
          }
        }
        header.accept(buffer, 0, n);
      }
      time = Files.getLastModifiedTime(file).toInstant();
    } catch (NoSuchFileException e) {
      return null;
    }
    return new StoredMessage(id, "", List.of(), size, header.subject(), time, "", false, null);
  }
}
