package io.smtpprotocol.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.LoggerFactory;

/** Collects one logger's events instead of printing them, for as long as it is open. */
final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final boolean additive;
  private final @Nullable Level level;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture(Class<?> type) {
    this(type.getName(), null);
  }

  /**
   * Collects the events of the logger {@code name}, at {@code level} if not null (then restored on
   * close).
   */
  LogCapture(String name, @Nullable Level level) {
    logger = (Logger) LoggerFactory.getLogger(name);
    additive = logger.isAdditive();
    this.level = logger.getLevel();
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
    if (level != null) {
      logger.setLevel(level);
    }
  }

  /** All events so far. */
  List<ILoggingEvent> events() {
    synchronized (appender) {
      return new ArrayList<>(appender.list);
    }
  }

  /** The formatted messages of all events so far. */
  List<String> messages() {
    return events().stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** The WARN and ERROR events so far. */
  List<ILoggingEvent> warnings() {
    return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
  }

  @Override
  public void close() {
    logger.setLevel(level);
    logger.detachAppender(appender);
    logger.setAdditive(additive);
    appender.stop();
  }
}
