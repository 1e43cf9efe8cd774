package io.smtpprotocol.benchmarks.startersink;

import io.smtpprotocol.spring.autoconfigure.SmtpServerCustomizer;
import io.smtpprotocol.spring.listener.SmtpEvent;
import io.smtpprotocol.spring.listener.SmtpListener;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.stereotype.Component;

/**
 * The counterpart of {@code smtp-sink.jar} built on the starter: one {@code MESSAGE} listener that
 * reads and discards the body, everything else accepted implicitly. Run both under the same load to
 * see what the starter costs over the bare engine.
 *
 * <pre>
 * java -Xmx1g -jar smtp-starter-sink/target/smtp-starter-sink.jar --smtp.server.port=2527
 * </pre>
 */
@SpringBootApplication
public class StarterSinkApplication {

  public static void main(String[] args) {
    SpringApplication.run(StarterSinkApplication.class, args);
  }

  /** The same event loop count as {@code smtp-sink.jar}: half the cores, at least one. */
  @Bean
  SmtpServerCustomizer sinkIoThreads() {
    return builder ->
        builder.ioThreads(Math.max(1, Runtime.getRuntime().availableProcessors() / 2));
  }

  /** Drains each message into a buffer reused per handler thread. */
  @Component
  static class Drain {

    private final ThreadLocal<byte[]> buffers = ThreadLocal.withInitial(() -> new byte[64 * 1024]);

    @SmtpListener(SmtpEvent.MESSAGE)
    void message(InputStream body) throws IOException {
      byte[] buffer = buffers.get();
      while (body.read(buffer, 0, buffer.length) >= 0) {
        // discard
      }
    }
  }
}
