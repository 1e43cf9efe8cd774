package io.smtpprotocol.demo.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectorySyncTests {

  @TempDir Path dir;

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void oneCallerMakesOneRoundOverItsDirectories() throws IOException {
    DirectorySync sync = new DirectorySync(pool);
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));

    sync.sync(List.of(a, b));
    sync.sync(List.of(a));

    assertThat(sync.rounds()).isEqualTo(2);
  }

  @Test
  void concurrentCallersAllReturn() throws Exception {
    DirectorySync sync = new DirectorySync(pool);
    Path a = Files.createDirectory(dir.resolve("a"));
    int callers = 16;
    CyclicBarrier start = new CyclicBarrier(callers);
    AtomicInteger done = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        calls.add(
            threads.submit(
                () -> {
                  start.await(10, TimeUnit.SECONDS);
                  for (int n = 0; n < 20; n++) {
                    sync.sync(List.of(a));
                    done.incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> call : calls) {
        call.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(done).hasValue(callers * 20);
    assertThat(sync.rounds()).isPositive().isLessThanOrEqualTo(callers * 20L);
  }

  @Test
  void aFailedRoundFailsItsCallersAndIsTriedAgainByTheNext() throws IOException {
    DirectorySync sync = new DirectorySync(pool);
    Path missing = dir.resolve("later");

    assertThatIOException()
        .isThrownBy(() -> sync.sync(List.of(missing)))
        .isInstanceOf(NoSuchFileException.class);

    Path other = Files.createDirectory(dir.resolve("other"));
    assertThatIOException()
        .as("the failed directory is part of the next round")
        .isThrownBy(() -> sync.sync(List.of(other)))
        .isInstanceOf(NoSuchFileException.class);

    Files.createDirectory(missing);
    sync.sync(List.of(other));
    sync.sync(List.of(other));
    assertThat(sync.rounds()).isEqualTo(4);
  }
}
