package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIOException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.smtpprotocol.handler.MessageAbortedException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class MessageBodyTests {

  private final AtomicInteger resumed = new AtomicInteger();
  private final BodyQueue body = new BodyQueue(10, resumed::incrementAndGet);

  private static ByteBuf text(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  @Test
  void readsWhatWasOfferedThenEndOfStream() throws Exception {
    body.offer(text("hel"));
    body.offer(text("lo"));
    body.complete();
    assertThat(body.available()).isEqualTo(5);
    assertThat(body.readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("hello");
    assertThat(body.read()).isEqualTo(-1);
    assertThat(body.received()).isEqualTo(5);
    assertThat(body.consumed()).isEqualTo(5);
  }

  @Test
  void producerIsPausedAboveTheHighWaterMarkAndResumedBelowHalf() throws Exception {
    assertThat(body.offer(text("0123456789"))).isFalse();
    assertThat(body.offer(text("a"))).as("11 octets queued").isTrue();
    byte[] buf = new byte[4];
    body.read(buf, 0, 4); // 7 left: still above half
    assertThat(resumed).hasValue(0);
    body.read(buf, 0, 4); // 3 left
    assertThat(resumed).hasValue(1);
    body.read(buf, 0, 4);
    assertThat(resumed).hasValue(1);
  }

  @Test
  void readerWaitsForData() throws Exception {
    CompletableFuture<byte[]> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return body.readAllBytes();
              } catch (IOException e) {
                throw new IllegalStateException(e);
              }
            });
    body.offer(text("late"));
    body.complete();
    assertThat(read.get(5, TimeUnit.SECONDS)).asString(StandardCharsets.US_ASCII).isEqualTo("late");
  }

  @Test
  void failureReachesAWaitingReader() throws Exception {
    CompletableFuture<Throwable> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                body.readAllBytes();
                return null;
              } catch (IOException e) {
                return e;
              }
            });
    body.offer(text("part"));
    body.fail(new MessageAbortedException("message exceeds 10 octets"));
    assertThat(read.get(5, TimeUnit.SECONDS))
        .isInstanceOf(IOException.class)
        .hasMessage("message exceeds 10 octets");
  }

  @Test
  void connectionLostAfterTheLastOctetStillFailsTheUnreadBody() throws Exception {
    body.offer(text("the whole message"));
    body.complete();
    body.fail(new MessageAbortedException("connection lost"));
    // never a shortened body that looks complete
    assertThatIOException().isThrownBy(body::readAllBytes).withMessage("connection lost");
  }

  @Test
  void closeDropsTheRestAndResumesAPausedProducer() throws Exception {
    ByteBuf queued = text("0123456789ab");
    assertThat(body.offer(queued)).isTrue();
    body.close();
    assertThat(queued.refCnt()).isZero();
    assertThat(resumed).hasValue(1);
    ByteBuf late = text("more");
    assertThat(body.offer(late)).isFalse();
    assertThat(late.refCnt()).isZero();
    assertThat(body.isDiscarding()).isTrue();
    assertThatIOException().isThrownBy(body::read);
  }

  @Test
  void failureAfterCloseIsIgnored() {
    body.offer(text("abc"));
    body.close();
    body.fail(new MessageAbortedException("later"));
    assertThat(body.isDiscarding()).isTrue();
    assertThat(body.queued()).isZero();
    assertThatIOException().isThrownBy(body::read).withMessageContaining("closed");
  }

  @Test
  void offersAfterTheEndAreReleased() {
    body.complete();
    ByteBuf late = text("late");
    assertThat(body.offer(late)).isFalse();
    assertThat(late.refCnt()).isZero();
  }

  @Test
  void interruptedReaderGetsInterruptedIoException() throws Exception {
    Thread.currentThread().interrupt();
    try {
      assertThatExceptionOfType(InterruptedIOException.class).isThrownBy(body::read);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }
}
