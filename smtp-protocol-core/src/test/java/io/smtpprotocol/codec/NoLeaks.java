package io.smtpprotocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * Fails a test class after which Netty's leak detector finds a buffer that was never released.
 * Registered for every test class (see {@code junit-platform.properties}); the build runs with
 * paranoid leak detection, so every buffer is tracked.
 *
 * <p>The detector notices a leak only when the garbage collector has cleared the buffer and a new
 * buffer is allocated afterwards, so this collects garbage and allocates, a few times.
 */
public final class NoLeaks implements AfterAllCallback {

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
      return;
    }
    Logger logger = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
    ListAppender<ILoggingEvent> leaks = new ListAppender<>();
    leaks.start();
    logger.addAppender(leaks);
    try {
      for (int i = 0; i < 3; i++) {
        System.gc();
        Thread.sleep(10); // the reference handler thread queues what the collector cleared
        ByteBufAllocator.DEFAULT.buffer(8).release();
        Unpooled.buffer(8).release();
      }
    } finally {
      logger.detachAppender(leaks);
    }
    List<String> reports;
    synchronized (leaks) {
      reports = leaks.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
    assertThat(reports).as("buffers leaked in or before %s", context.getDisplayName()).isEmpty();
  }
}
