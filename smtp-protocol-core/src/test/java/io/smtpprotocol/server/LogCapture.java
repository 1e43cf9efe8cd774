package io.smtpprotocol.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects one logger's events instead of printing them, for as long as it is open. */
final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final boolean additive;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

  LogCapture(Class<?> type) {
    logger = (Logger) LoggerFactory.getLogger(type);
    additive = logger.isAdditive();
    appender.start();
    logger.addAppender(appender);
    logger.setAdditive(false);
  }

  /** The WARN and ERROR events so far. */
  List<ILoggingEvent> warnings() {
    List<ILoggingEvent> copy;
    synchronized (appender) {
      copy = new ArrayList<>(appender.list);
    }
    return copy.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setAdditive(additive);
    appender.stop();
  }
}
