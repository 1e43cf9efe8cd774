package io.smtpprotocol.demo.maildir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIOException;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupSyncTests {

  @TempDir Path dir;

  private final ExecutorService pool = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    pool.shutdownNow();
  }

  @Test
  void oneCallerMakesOneRoundOverItsDirectories() throws IOException {
    GroupSync sync = new GroupSync(pool);
    Path a = Files.createDirectory(dir.resolve("a"));
    Path b = Files.createDirectory(dir.resolve("b"));

    sync.sync(List.of(new GroupSync.Directory(a), new GroupSync.Directory(b)));
    sync.sync(List.of(new GroupSync.Directory(a)));

    assertThat(sync.rounds()).isEqualTo(2);
  }

  @Test
  void concurrentCallersAllReturn() throws Exception {
    GroupSync sync = new GroupSync(pool);
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
                    sync.sync(List.of(new GroupSync.Directory(a)));
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
  void concurrentDeliveriesShareFewerFsyncsThanThereAreDeliveries() throws Exception {
    GroupSync sync = new GroupSync(pool);
    Path a = Files.createDirectory(dir.resolve("a"));
    CountDownLatch firstForceStarted = new CountDownLatch(1);
    CountDownLatch releaseFirstForce = new CountDownLatch(1);
    AtomicInteger forced = new AtomicInteger();
    // the directory's fsync, counted; the first one is held until every other caller waits
    GroupSync.Target directory =
        new GroupSync.Target() {
          @Override
          public void force() throws IOException {
            if (forced.incrementAndGet() == 1) {
              firstForceStarted.countDown();
              try {
                releaseFirstForce.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
              }
            }
            GroupSync.fsyncDirectory(a);
          }
        };
    int callers = 16;
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    Runnable deliver =
        () -> {
          try {
            sync.sync(List.of(directory));
          } catch (IOException | RuntimeException e) {
            failures.add(e);
          }
        };
    Thread first = new Thread(deliver, "delivery-0");
    first.start();
    assertThat(firstForceStarted.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 1; i < callers; i++) {
      Thread thread = new Thread(deliver, "delivery-" + i);
      threads.add(thread);
      thread.start();
    }
    // every other delivery has arrived while the first fsync runs, and waits for the next round
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> threads.stream().allMatch(t -> t.getState() == Thread.State.WAITING));
    releaseFirstForce.countDown();
    first.join(30_000);
    for (Thread thread : threads) {
      thread.join(30_000);
    }

    assertThat(failures).isEmpty();
    assertThat(threads).noneMatch(Thread::isAlive);
    assertThat(forced.get()).as("directory fsyncs for %d deliveries", callers).isEqualTo(2);
    assertThat(sync.rounds()).isEqualTo(2);
  }

  @Test
  void aFailedRoundFailsItsCallersAndIsTriedAgainByTheNext() throws IOException {
    GroupSync sync = new GroupSync(pool);
    Path missing = dir.resolve("later");

    assertThatIOException()
        .isThrownBy(() -> sync.sync(List.of(new GroupSync.Directory(missing))))
        .isInstanceOf(NoSuchFileException.class);

    Path other = Files.createDirectory(dir.resolve("other"));
    assertThatIOException()
        .as("the failed directory is part of the next round")
        .isThrownBy(() -> sync.sync(List.of(new GroupSync.Directory(other))))
        .isInstanceOf(NoSuchFileException.class);

    Files.createDirectory(missing);
    sync.sync(List.of(new GroupSync.Directory(other)));
    sync.sync(List.of(new GroupSync.Directory(other)));
    assertThat(sync.rounds()).isEqualTo(4);
  }

  @Test
  void everyTargetOfARoundIsForcedOnceEvenWhenNamedTwice() throws IOException {
    GroupSync sync = new GroupSync(pool);
    AtomicInteger forced = new AtomicInteger();
    GroupSync.Target journal = forced::incrementAndGet;
    Path a = Files.createDirectory(dir.resolve("a"));

    sync.sync(List.of(new GroupSync.Directory(a), journal, journal));
    sync.sync(List.of(journal));

    assertThat(forced).hasValue(2);
    assertThat(sync.rounds()).isEqualTo(2);
  }
}
