package io.smtpprotocol.demo.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class MaildirStoreTests {

  @TempDir Path dir;

  private MaildirStore store;

  @BeforeEach
  void open() throws IOException {
    store = new MaildirStore(dir.resolve("maildir"), JsonMapper.builder().build());
  }

  @AfterEach
  void close() throws IOException {
    store.close();
  }

  private static Delivery delivery(Instant at) {
    return new Delivery(
        "alice@example.org",
        List.of("bob@example.com", "carol@example.com"),
        "127.0.0.1",
        true,
        "demo",
        at);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  private byte[] raw(String id) throws IOException {
    RawMessage raw = store.raw(id).orElseThrow();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long n = raw.transferTo(out);
    assertThat(n).isEqualTo(out.size()).isEqualTo(raw.size());
    return out.toByteArray();
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    }
  }

  /** Hands out the body in small reads, so that line endings fall across chunk boundaries. */
  private static InputStream trickle(byte[] body, int chunk) {
    return new ByteArrayInputStream(body) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void deliveredMessageIsOneFileInNewWithLfLineEndings() throws IOException {
    byte[] body = bytes("Subject: hello\r\nFrom: a@example.org\r\n\r\nline one\r\nline two\r\n");

    StoredMessage message = store.deliver(delivery(Instant.now()), new ByteArrayInputStream(body));

    Path root = dir.resolve("maildir");
    assertThat(files(root.resolve("new")))
        .containsExactly(root.resolve("new").resolve(message.id()));
    assertThat(files(root.resolve("tmp"))).isEmpty();
    assertThat(files(root.resolve("raw"))).isEmpty();
    assertThat(Files.readString(root.resolve("new").resolve(message.id())))
        .isEqualTo("Subject: hello\nFrom: a@example.org\n\nline one\nline two\n");
    assertThat(message.id()).matches("[0-9]+\\.M[0-9]+P[0-9]+Q1R[0-9a-f]{8}\\..+");
    assertThat(MessageIds.isValid(message.id())).isTrue();
  }

  @Test
  void envelopeIsKeptBesideTheMessage() throws IOException {
    Instant at = Instant.parse("2025-01-02T03:04:05.123456Z");
    byte[] body = bytes("Subject: =?UTF-8?Q?caf=C3=A9?=\r\n\r\nx\r\n");

    StoredMessage message = store.deliver(delivery(at), new ByteArrayInputStream(body));

    assertThat(message.from()).isEqualTo("alice@example.org");
    assertThat(message.recipients()).containsExactly("bob@example.com", "carol@example.com");
    assertThat(message.size()).isEqualTo(body.length);
    assertThat(message.subject()).isEqualTo("caf\u00e9");
    assertThat(message.receivedAt()).isEqualTo(at);
    assertThat(message.remoteAddress()).isEqualTo("127.0.0.1");
    assertThat(message.tls()).isTrue();
    assertThat(message.authenticatedUser()).isEqualTo("demo");
    store.close();
    MaildirStore reopened = new MaildirStore(dir.resolve("maildir"), JsonMapper.builder().build());
    assertThat(reopened.find(message.id())).contains(message);
    assertThat(Files.readString(dir.resolve("maildir/envelope/journal")))
        .contains("\"id\":\"" + message.id() + "\"")
        .contains("\"from\":\"alice@example.org\"");
    assertThat(files(dir.resolve("maildir/envelope")))
        .containsExactly(dir.resolve("maildir/envelope/journal"));
  }

  @Test
  void envelopesOfManyMessagesAreReadBackFromTheJournalAfterARestart() throws IOException {
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    List<StoredMessage> delivered = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      delivered.add(
          store.deliver(
              delivery(t0.plusSeconds(i)),
              new ByteArrayInputStream(bytes("Subject: m" + i + "\r\n\r\nx\r\n"))));
    }
    store.close();

    MaildirStore reopened = new MaildirStore(dir.resolve("maildir"), JsonMapper.builder().build());

    Collections.reverse(delivered);
    assertThat(reopened.list()).containsExactlyElementsOf(delivered);
  }

  @Test
  void envelopeFileOfAnEarlierVersionIsStillRead() throws IOException {
    Path root = dir.resolve("maildir");
    String id = "1700000000.M1P2Q3.earlier";
    Files.writeString(root.resolve("new/" + id), "Subject: old\n\nhello\n");
    Files.writeString(
        root.resolve("envelope/" + id + ".json"),
        "{\"id\":\""
            + id
            + "\",\"from\":\"old@example.org\",\"recipients\":[\"bob@example.com\"],"
            + "\"size\":26,\"subject\":\"old\",\"receivedAt\":\"2023-11-14T22:13:20Z\","
            + "\"remoteAddress\":\"10.0.0.1\",\"tls\":false,\"authenticatedUser\":null}\n");

    StoredMessage message = store.find(id).orElseThrow();

    assertThat(message.from()).isEqualTo("old@example.org");
    assertThat(message.remoteAddress()).isEqualTo("10.0.0.1");
  }

  @Test
  void rawGivesBackTheExactBytesOfCrlfMessages() throws IOException {
    byte[] body =
        bytes(
            "Subject: t\r\n\r\n.leading dot kept after unstuffing\r\nbare\rcr\r\r\n\u00e9\u00ff\u0080\r\n\r\n");
    StoredMessage message = store.deliver(delivery(Instant.now()), trickle(body, 3));

    assertThat(raw(message.id())).isEqualTo(body);
    assertThat(files(dir.resolve("maildir/raw"))).isEmpty();
  }

  @Test
  void messageWithoutFinalLineBreakKeepsItsLastByte() throws IOException {
    byte[] body = bytes("Subject: t\r\n\r\nends with CR\r");
    StoredMessage message = store.deliver(delivery(Instant.now()), trickle(body, 5));

    assertThat(raw(message.id())).isEqualTo(body);
    assertThat(Files.readAllBytes(dir.resolve("maildir/new/" + message.id())))
        .isEqualTo(bytes("Subject: t\n\nends with CR\r"));
  }

  @Test
  void messageWithBareLfKeepsAnExactCopyStartedWhereTheBareLfAppears() throws IOException {
    StringBuilder text = new StringBuilder("Subject: mixed\r\n\r\n");
    for (int i = 0; i < 5000; i++) {
      text.append("crlf line ").append(i).append("\r\n");
    }
    text.append("a CR right before the split\r");
    text.append("\nthen a bare LF\nand\r\nmore\r\n");
    byte[] body = bytes(text.toString());

    StoredMessage message = store.deliver(delivery(Instant.now()), trickle(body, 4093));

    assertThat(raw(message.id())).isEqualTo(body);
    assertThat(files(dir.resolve("maildir/raw"))).hasSize(1);
    assertThat(
            Files.readString(
                dir.resolve("maildir/new/" + message.id()), StandardCharsets.ISO_8859_1))
        .endsWith("a CR right before the split\nthen a bare LF\nand\nmore\n");
  }

  @Test
  void bareLfRightAfterABareCrIsKeptExactlyWhateverTheChunking() throws IOException {
    byte[] body = bytes("Subject: x\r\n\r\na\r\nb\r\rc\nd\r\ne\r");
    for (int chunk = 1; chunk <= body.length; chunk++) {
      StoredMessage message = store.deliver(delivery(Instant.now()), trickle(body, chunk));

      assertThat(raw(message.id())).as("chunks of %d", chunk).isEqualTo(body);
      assertThat(Files.readAllBytes(dir.resolve("maildir/new/" + message.id())))
          .isEqualTo(bytes("Subject: x\n\na\nb\r\rc\nd\ne\r"));
    }
  }

  @Test
  void bodyThatFailsHalfwayLeavesNothingBehind() throws IOException {
    InputStream failing =
        new InputStream() {
          private int sent;

          @Override
          public int read() throws IOException {
            if (sent++ < 100_000) {
              return sent % 80 == 0 ? '\n' : 'x';
            }
            throw new IOException("connection lost");
          }
        };

    assertThatIOException()
        .isThrownBy(() -> store.deliver(delivery(Instant.now()), failing))
        .withMessage("connection lost");

    for (String sub : List.of("tmp", "new", "cur", "raw")) {
      assertThat(files(dir.resolve("maildir").resolve(sub))).as(sub).isEmpty();
    }
    assertThat(dir.resolve("maildir/envelope/journal")).isEmptyFile();
    assertThat(store.list()).isEmpty();
  }

  @Test
  void listIsNewestFirst() throws IOException {
    Instant t0 = Instant.parse("2025-01-01T00:00:00Z");
    StoredMessage middle =
        store.deliver(delivery(t0.plusSeconds(5)), new ByteArrayInputStream(bytes("a\r\n")));
    StoredMessage newest =
        store.deliver(delivery(t0.plusSeconds(9)), new ByteArrayInputStream(bytes("b\r\n")));
    StoredMessage oldest = store.deliver(delivery(t0), new ByteArrayInputStream(bytes("c\r\n")));

    assertThat(store.list()).containsExactly(newest, middle, oldest);
  }

  @Test
  void messageMovedToCurByAMailReaderIsStillFound() throws IOException {
    byte[] body = bytes("Subject: seen\r\n\r\nx\r\n");
    StoredMessage message = store.deliver(delivery(Instant.now()), new ByteArrayInputStream(body));
    Path root = dir.resolve("maildir");
    Files.move(root.resolve("new/" + message.id()), root.resolve("cur/" + message.id() + ":2,S"));

    assertThat(store.find(message.id())).contains(message);
    assertThat(store.list()).containsExactly(message);
    assertThat(raw(message.id())).isEqualTo(body);
  }

  @Test
  void messageWithoutEnvelopeIsDescribedFromItsFile() throws IOException {
    Path root = dir.resolve("maildir");
    String id = "1700000000.M1P2Q3.elsewhere";
    Files.writeString(root.resolve("new/" + id), "Subject: dropped in\n\nhello\n");

    StoredMessage message = store.find(id).orElseThrow();

    assertThat(message.subject()).isEqualTo("dropped in");
    assertThat(message.size()).isEqualTo("Subject: dropped in\r\n\r\nhello\r\n".length());
    assertThat(raw(id)).isEqualTo(bytes("Subject: dropped in\r\n\r\nhello\r\n"));
  }

  @Test
  void malformedAndUnknownIdsFindNothing() throws IOException {
    Files.writeString(dir.resolve("secret"), "not a message");
    store.deliver(delivery(Instant.now()), new ByteArrayInputStream(bytes("x\r\n")));

    for (String id :
        List.of(
            "../secret",
            "..",
            ".",
            "",
            "1.M1.x/../../secret",
            "1.M1P1Q1.host:2,S",
            "1700000000.M1P2Q3.nowhere")) {
      assertThat(store.find(id)).as(id).isEmpty();
      assertThat(store.raw(id)).as(id).isEmpty();
      assertThat(store.file(id)).as(id).isEmpty();
    }
  }

  @Test
  void clearRemovesEveryMessage() throws IOException {
    store.deliver(delivery(Instant.now()), new ByteArrayInputStream(bytes("x\r\n")));
    store.deliver(delivery(Instant.now()), new ByteArrayInputStream(bytes("bare\nlf\r\n")));

    store.clear();

    assertThat(store.list()).isEmpty();
    for (String sub : List.of("new", "cur", "raw")) {
      assertThat(files(dir.resolve("maildir").resolve(sub))).as(sub).isEmpty();
    }
    assertThat(files(dir.resolve("maildir/envelope")))
        .containsExactly(dir.resolve("maildir/envelope/journal"));
    assertThat(dir.resolve("maildir/envelope/journal")).isEmptyFile();
  }

  @Test
  void messagesDeliveredAfterAClearAreKeptAcrossARestart() throws IOException {
    store.deliver(
        delivery(Instant.now()), new ByteArrayInputStream(bytes("Subject: gone\r\n\r\nx\r\n")));
    store.clear();
    StoredMessage kept =
        store.deliver(
            delivery(Instant.now()), new ByteArrayInputStream(bytes("Subject: kept\r\n\r\ny\r\n")));
    store.close();

    MaildirStore reopened = new MaildirStore(dir.resolve("maildir"), JsonMapper.builder().build());

    assertThat(reopened.list()).containsExactly(kept);
  }

  @Test
  void concurrentDeliveriesAreAllStoredUnderDistinctNames() throws Exception {
    int count = 40;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<StoredMessage>> futures = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        byte[] body = bytes("Subject: n" + i + "\r\n\r\nbody " + i + "\r\n");
        futures.add(
            pool.submit(
                () -> store.deliver(delivery(Instant.now()), new ByteArrayInputStream(body))));
      }
      Set<String> ids = new HashSet<>();
      for (Future<StoredMessage> future : futures) {
        StoredMessage message = future.get(30, TimeUnit.SECONDS);
        ids.add(message.id());
        assertThat(raw(message.id()))
            .isEqualTo(
                bytes(
                    "Subject: "
                        + message.subject()
                        + "\r\n\r\nbody "
                        + message.subject().substring(1)
                        + "\r\n"));
      }
      assertThat(ids).hasSize(count);
      assertThat(store.list()).hasSize(count);
    } finally {
      pool.shutdownNow();
    }
  }
}
