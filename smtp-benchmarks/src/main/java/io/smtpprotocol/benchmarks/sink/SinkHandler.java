package io.smtpprotocol.benchmarks.sink;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import java.io.IOException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.LongAdder;

/**
 * Accepts every sender and recipient (by not overriding those events) and reads each body to its
 * end into a per-thread buffer that is reused, then answers 250.
 */
final class SinkHandler implements SmtpHandler {

  private static final int BUFFER_SIZE = 64 * 1024;

  private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[BUFFER_SIZE]);
  private final LongAdder messages = new LongAdder();
  private final LongAdder octets = new LongAdder();

  @Override
  public CompletionStage<Decision> message(
      SessionInfo session, Envelope envelope, MessageBody body) {
    byte[] buffer = buffers.get();
    long total = 0;
    try {
      int n;
      while ((n = body.read(buffer, 0, buffer.length)) >= 0) {
        total += n;
      }
    } catch (IOException e) {
      // too large, bad line ending or connection lost: the engine sends its own reply
      return Decision.reject(451, "4.3.0", "message not read").asStage();
    }
    messages.increment();
    octets.add(total);
    return Decision.acceptStage();
  }

  /** Messages read to their end so far. */
  long messages() {
    return messages.sum();
  }

  /** Body octets of those messages. */
  long octets() {
    return octets.sum();
  }
}
