package io.smtpprotocol.testing;

import io.netty.util.ResourceLeakDetector;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's leak detector for the whole test JVM ({@code -Dio.netty.customResourceLeakDetector} in
 * the surefire configuration): it logs each leak as Netty's own does, and also records it with the
 * test class that was running when the leak was reported, so that {@link NoLeaks} fails that class.
 *
 * <p>Netty reports a leak only when a later allocation finds the collected buffer, at any moment of
 * the run and on any thread; the record names where the buffer was last touched.
 *
 * @param <T> the tracked resource
 */
public final class RecordingLeakDetector<T> extends ResourceLeakDetector<T> {

  private static final List<String> LEAKS = new ArrayList<>();
  private static volatile String running = "(before the first test class)";

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval) {
    super(resourceType, samplingInterval);
  }

  public RecordingLeakDetector(Class<?> resourceType, int samplingInterval, long maxActive) {
    super(resourceType, samplingInterval, maxActive);
  }

  /** Whether this detector is the one Netty uses in this JVM. */
  static boolean installed() {
    return RecordingLeakDetector.class
        .getName()
        .equals(System.getProperty("io.netty.customResourceLeakDetector"));
  }

  /** Names the test class that runs from now on. */
  static void running(String testClass) {
    running = testClass;
  }

  /** The leaks reported since the last call, each with the test class that was running. */
  static List<String> drain() {
    synchronized (LEAKS) {
      List<String> leaks = List.copyOf(LEAKS);
      LEAKS.clear();
      return leaks;
    }
  }

  @Override
  protected void reportTracedLeak(String resourceType, String records) {
    super.reportTracedLeak(resourceType, records);
    record(resourceType + " leaked" + records);
  }

  @Override
  protected void reportUntracedLeak(String resourceType) {
    super.reportUntracedLeak(resourceType);
    record(resourceType + " leaked (no access records)");
  }

  private static void record(String leak) {
    synchronized (LEAKS) {
      LEAKS.add("reported while " + running + " ran: " + leak);
    }
  }
}
