package io.smtpprotocol.spring.context;

import io.smtpprotocol.server.ServerConfig;
import io.smtpprotocol.server.SmtpServer;
import io.smtpprotocol.server.SmtpServerException;
import io.smtpprotocol.tls.TlsMode;
import java.net.BindException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationContext;
import org.springframework.context.ApplicationContextAware;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.SmartLifecycle;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.MutablePropertySources;
import org.springframework.core.env.PropertySource;

/**
 * Starts an {@link SmtpServer} with the application context and drains it when the context closes.
 *
 * <p>On start the bound port is published as {@value #PORT_PROPERTY} in the environment (and in the
 * parents' environments). On stop the server stops accepting connections, lets every transaction in
 * progress finish within the shutdown timeout (normally {@code
 * spring.lifecycle.timeout-per-shutdown-phase}), answers the other sessions {@code 421} and closes
 * them; a message whose listener already accepted it is answered before its connection closes.
 *
 * <p>While the server runs, a non-daemon thread ({@code smtp-server-await}) keeps the JVM alive. A
 * stopped server cannot be started again.
 */
public final class SmtpServerLifecycle implements SmartLifecycle, ApplicationContextAware {

  /** The environment property holding the bound port. */
  public static final String PORT_PROPERTY = "local.smtp.server.port";

  /**
   * The phase in which the server starts and drains: after the web server starts, and together with
   * the web server's graceful shutdown.
   */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1024;

  private static final String PROPERTY_SOURCE_NAME = "smtp.server.ports";

  private static final Logger log = LoggerFactory.getLogger(SmtpServerLifecycle.class);

  private final Supplier<@Nullable SmtpServer> serverSupplier;
  private final Duration shutdownTimeout;
  private @Nullable ApplicationContext applicationContext;
  private volatile @Nullable SmtpServer server;
  private volatile boolean running;

  /**
   * @param server supplies the server to start, or {@code null} when there is none; asked once, on
   *     the first start
   * @param shutdownTimeout how long stopping may wait for transactions in progress
   */
  public SmtpServerLifecycle(Supplier<@Nullable SmtpServer> server, Duration shutdownTimeout) {
    this.serverSupplier = Objects.requireNonNull(server, "server");
    if (shutdownTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "shutdownTimeout must not be negative: " + shutdownTimeout);
    }
    this.shutdownTimeout = shutdownTimeout;
  }

  @Override
  public void setApplicationContext(ApplicationContext applicationContext) {
    this.applicationContext = applicationContext;
  }

  /** The managed server, once started; {@code null} before. */
  public @Nullable SmtpServer server() {
    return server;
  }

  @Override
  public void start() {
    SmtpServer s = server;
    if (s == null) {
      s = serverSupplier.get();
      if (s == null) {
        return;
      }
      server = s;
    }
    if (s.terminationFuture().isDone()) {
      throw new IllegalStateException("the SMTP server cannot be started again once stopped");
    }
    if (!s.isRunning()) {
      try {
        s.start();
      } catch (SmtpServerException e) {
        throw startFailure(s.config(), e);
      }
    }
    running = true;
    keepAlive(s);
    ServerConfig config = s.config();
    if (config.unixSocket() == null) {
      publishPort(s.port());
    }
    log.info(
        "SMTP server started on {} (domain {}, TLS {}, extensions: {})",
        s.localAddress(),
        config.domain(),
        tlsMode(config),
        String.join(", ", extensions(s)));
  }

  /**
   * The server's threads are daemons; like Boot's embedded web servers, a non-daemon thread keeps
   * the JVM alive until the server stops, so an application whose only server is SMTP runs on.
   */
  private static void keepAlive(SmtpServer s) {
    Thread await =
        new Thread(
            () -> s.terminationFuture().handle((ignored, error) -> null).join(),
            "smtp-server-await");
    await.setDaemon(false);
    await.start();
  }

  private static RuntimeException startFailure(ServerConfig config, SmtpServerException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String message = String.valueOf(t.getMessage());
      if (t instanceof BindException || message.contains("Address already in use")) {
        return config.unixSocket() == null
            ? new SmtpServerPortInUseException(config.port(), e)
            : new IllegalStateException(
                "SMTP server could not start: " + config.unixSocket() + " is in use", e);
      }
    }
    return new IllegalStateException("SMTP server could not start: " + e.getMessage(), e);
  }

  private static String tlsMode(ServerConfig config) {
    return config.tls().mode().name().toLowerCase(Locale.ROOT);
  }

  /** What the server offers, as its EHLO reply says; what only TLS sessions get is marked. */
  private static List<String> extensions(SmtpServer s) {
    if (s.config().tls().mode() == TlsMode.IMPLICIT) {
      return s.extensions(true);
    }
    List<String> plain = s.extensions(false);
    List<String> list = new ArrayList<>(plain);
    for (String keyword : s.extensions(true)) {
      if (!plain.contains(keyword)) {
        list.add(keyword + " (after STARTTLS)");
      }
    }
    return list;
  }

  @Override
  public void stop() {
    CountDownLatch stopped = new CountDownLatch(1);
    stop(stopped::countDown);
    try {
      if (!stopped.await(shutdownTimeout.toMillis() + 5_000, TimeUnit.MILLISECONDS)) {
        log.warn("SMTP server did not stop within {}", shutdownTimeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void stop(Runnable callback) {
    SmtpServer s = server;
    running = false;
    if (s == null) {
      callback.run();
      return;
    }
    int sessions = s.activeSessions();
    long started = System.nanoTime();
    log.info(
        "SMTP server on {} draining {} session(s), for at most {}",
        s.localAddress(),
        sessions,
        shutdownTimeout);
    s.shutdownGracefully(shutdownTimeout)
        .whenComplete(
            (ignored, error) -> {
              log.info(
                  "SMTP server stopped after {} ms",
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
              callback.run();
            });
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public boolean isPauseable() {
    return false;
  }

  private void publishPort(int port) {
    for (ApplicationContext c = applicationContext; c != null; c = c.getParent()) {
      if (c instanceof ConfigurableApplicationContext configurable) {
        publishPort(configurable.getEnvironment(), port);
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void publishPort(ConfigurableEnvironment environment, int port) {
    MutablePropertySources sources = environment.getPropertySources();
    PropertySource<?> source = sources.get(PROPERTY_SOURCE_NAME);
    if (source == null) {
      source = new MapPropertySource(PROPERTY_SOURCE_NAME, new HashMap<>());
      sources.addFirst(source);
    }
    ((Map<String, Object>) source.getSource()).put(PORT_PROPERTY, port);
  }
}
