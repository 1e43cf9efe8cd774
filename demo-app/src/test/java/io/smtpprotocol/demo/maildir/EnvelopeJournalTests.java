package io.smtpprotocol.demo.maildir;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.json.JsonMapper;

class EnvelopeJournalTests {

  @TempDir Path dir;

  private final JsonMapper json = JsonMapper.builder().build();

  private static StoredMessage message(int n) {
    return new StoredMessage(
        "1700000000.M" + n + "P1Q" + n + ".host",
        "alice@example.org",
        List.of("bob@example.com", "\u00e9ve@example.com"),
        100 + n,
        "subject \"" + n + "\"\nsecond line",
        Instant.parse("2025-01-02T03:04:05.123456Z").plusSeconds(n),
        "::1",
        n % 2 == 0,
        n % 2 == 0 ? "demo" : null);
  }

  private Map<String, StoredMessage> replay(Path file) throws IOException {
    Map<String, StoredMessage> index = new HashMap<>();
    EnvelopeJournal.open(file, json, index).close();
    return index;
  }

  @Test
  void appendedRecordsAreReadBackWhenTheJournalIsOpenedAgain() throws IOException {
    Path file = dir.resolve("journal");
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, new HashMap<>())) {
      for (int n = 1; n <= 3; n++) {
        journal.append(message(n));
      }
      journal.force();
    }

    Map<String, StoredMessage> index = replay(file);

    assertThat(index).hasSize(3);
    for (int n = 1; n <= 3; n++) {
      assertThat(index.get(message(n).id())).isEqualTo(message(n));
    }
    assertThat(Files.readAllLines(file, StandardCharsets.UTF_8))
        .hasSize(3)
        .allMatch(line -> line.matches("[0-9a-f]{8} \\{.*\\}"));
  }

  @Test
  void cutShortLastRecordIsIgnoredAndCutOffSoTheNextAppendStartsOnItsOwnLine() throws IOException {
    Path file = dir.resolve("journal");
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, new HashMap<>())) {
      journal.append(message(1));
      journal.append(message(2));
      journal.force();
    }
    byte[] whole = Files.readAllBytes(file);
    byte[] torn = Arrays.copyOf(whole, whole.length - 7);
    Files.write(file, torn);

    Map<String, StoredMessage> index = new HashMap<>();
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, index)) {
      assertThat(index).containsOnlyKeys(message(1).id());
      assertThat(journal.skipped()).isEqualTo(1);
      assertThat(Files.size(file)).isEqualTo(EnvelopeJournal.record(message(1)).length);
      journal.append(message(3));
      journal.force();
    }

    assertThat(replay(file)).containsOnlyKeys(message(1).id(), message(3).id());
  }

  @Test
  void recordWithAWrongChecksumIsSkippedAndTheOthersKept() throws IOException {
    Path file = dir.resolve("journal");
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, new HashMap<>())) {
      journal.append(message(1));
      journal.append(message(2));
      journal.append(message(3));
      journal.force();
    }
    byte[] bytes = Files.readAllBytes(file);
    int second = EnvelopeJournal.record(message(1)).length;
    int at = second + 30; // inside the JSON of the second record
    bytes[at] = (byte) (bytes[at] == 'x' ? 'y' : 'x');
    Files.write(file, bytes);

    Map<String, StoredMessage> index = new HashMap<>();
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, index)) {
      assertThat(journal.skipped()).isEqualTo(1);
    }

    assertThat(index).containsOnlyKeys(message(1).id(), message(3).id());
  }

  @Test
  void laterRecordOfTheSameIdWins() throws IOException {
    Path file = dir.resolve("journal");
    StoredMessage first = message(1);
    StoredMessage second =
        new StoredMessage(
            first.id(),
            "other@example.org",
            first.recipients(),
            first.size(),
            first.subject(),
            first.receivedAt(),
            first.remoteAddress(),
            first.tls(),
            first.authenticatedUser());
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, new HashMap<>())) {
      journal.append(first);
      journal.append(second);
      journal.force();
    }

    assertThat(replay(file)).containsExactly(Map.entry(first.id(), second));
  }

  @Test
  void clearEmptiesTheJournalAndLaterAppendsAreKept() throws IOException {
    Path file = dir.resolve("journal");
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, new HashMap<>())) {
      journal.append(message(1));
      journal.append(message(2));
      journal.clear();
      assertThat(file).isEmptyFile();
      journal.append(message(3));
      journal.force();
    }

    assertThat(replay(file)).containsOnlyKeys(message(3).id());
  }

  @Test
  void garbageAppendedByHandIsSkipped() throws IOException {
    Path file = dir.resolve("journal");
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, new HashMap<>())) {
      journal.append(message(1));
      journal.force();
    }
    Files.writeString(file, "not a record\n\n00000000 {}\n", StandardOpenOption.APPEND);

    Map<String, StoredMessage> index = new HashMap<>();
    try (EnvelopeJournal journal = EnvelopeJournal.open(file, json, index)) {
      assertThat(journal.skipped()).isEqualTo(3);
    }
    assertThat(index).containsOnlyKeys(message(1).id());
  }
}
