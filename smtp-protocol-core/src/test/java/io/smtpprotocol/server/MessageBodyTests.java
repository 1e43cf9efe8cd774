package io.smtpprotocol.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MessageBodyTests {

  private final AtomicInteger drained = new AtomicInteger();

  private MessageBody body(int highWater) {
    return new MessageBody(highWater, drained::incrementAndGet);
  }

  @Test
  void completeBodyReadsEverythingThenEnds() throws IOException {
    MessageBody body = body(1024);
    body.offer(Unpooled.copiedBuffer("hello ", StandardCharsets.US_ASCII));
    body.offer(Unpooled.copiedBuffer("world", StandardCharsets.US_ASCII));
    body.complete();
    assertThat(new String(body.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("hello world");
    assertThat(body.read()).isEqualTo(-1);
    assertThat(body.consumed()).isEqualTo(11);
  }

  @Test
  void bodyReadAfterDisconnectFailsInsteadOfEndingEarly() {
    MessageBody body = body(1024);
    body.offer(Unpooled.copiedBuffer("a whole message", StandardCharsets.US_ASCII));
    body.complete();
    body.fail(new IOException("connection lost"));
    assertThatThrownBy(body::readAllBytes).isInstanceOf(IOException.class).hasMessageContaining("connection lost");
  }

  @Test
  void failureAfterCloseIsIgnoredAndCloseDiscards() throws IOException {
    MessageBody body = body(1024);
    body.offer(Unpooled.copiedBuffer("abc", StandardCharsets.US_ASCII));
    body.close();
    body.fail(new IOException("later"));
    assertThat(body.isDiscarding()).isTrue();
    assertThat(body.queued()).isZero();
    assertThatThrownBy(body::read).isInstanceOf(IOException.class).hasMessageContaining("closed");
  }

  @Test
  void producerIsAskedToPauseAboveHighWaterAndResumedBelowHalf() throws IOException {
    MessageBody body = body(8);
    assertThat(body.offer(Unpooled.wrappedBuffer(new byte[6]))).isFalse();
    assertThat(body.offer(Unpooled.wrappedBuffer(new byte[6]))).isTrue();
    byte[] buf = new byte[6];
    assertThat(body.read(buf, 0, 6)).isEqualTo(6);
    assertThat(drained.get()).isZero(); // 6 octets still queued: above half of 8
    assertThat(body.read(buf, 0, 6)).isEqualTo(6);
    assertThat(drained.get()).isEqualTo(1);
  }
}
