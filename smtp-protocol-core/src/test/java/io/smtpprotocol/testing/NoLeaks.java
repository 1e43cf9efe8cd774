package io.smtpprotocol.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class during which Netty reported a leaked buffer, or after which a buffer it leaked
 * is found. Registered for every test class (see {@code junit-platform.properties}); the build runs
 * with paranoid leak detection and {@link RecordingLeakDetector}, so every buffer is tracked and
 * every report of the whole run is kept, whenever it comes.
 *
 * <p>The detector notices a leak only when the garbage collector has cleared the buffer and a new
 * buffer is allocated afterwards, so after each class this collects garbage and allocates, a few
 * times.
 */
public final class NoLeaks implements BeforeAllCallback, AfterAllCallback {

  @Override
  public void beforeAll(ExtensionContext context) {
    RecordingLeakDetector.running(name(context));
  }

  @Override
  public void afterAll(ExtensionContext context) throws InterruptedException {
    if (ResourceLeakDetector.getLevel() == ResourceLeakDetector.Level.DISABLED) {
      return;
    }
    assertThat(RecordingLeakDetector.installed())
        .as("-Dio.netty.customResourceLeakDetector=%s", RecordingLeakDetector.class.getName())
        .isTrue();
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(10); // the reference handler thread queues what the collector cleared
      ByteBufAllocator.DEFAULT.buffer(8).release();
      Unpooled.buffer(8).release();
    }
    assertThat(RecordingLeakDetector.drain())
        .as("buffers leaked in or before %s", name(context))
        .isEmpty();
  }

  private static String name(ExtensionContext context) {
    return context.getTestClass().map(Class::getName).orElse(context.getDisplayName());
  }
}
