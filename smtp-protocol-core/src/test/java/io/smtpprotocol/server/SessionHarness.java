package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One session in an {@link EmbeddedChannel}, without sockets and without a started server: a
 * transcript goes in, the reply codes come out. Handler methods run at once on the test thread, so
 * the handler must answer without waiting for the event loop.
 */
final class SessionHarness implements AutoCloseable {

  // the host methods the harness answers itself (see host())
  private static final Method ACCEPTS_SESSIONS = hostMethod("acceptsSessions");
  private static final Method EXECUTOR = hostMethod("executor");
  private static final Method ACQUIRE = hostMethod("acquire", InetAddress.class);
  private static final Method RELEASE = hostMethod("release", InetAddress.class);

  final EmbeddedChannel channel;
  final SmtpSession session;
  private boolean draining;

  SessionHarness(SmtpServerBuilder builder) {
    SmtpServer server = builder.build(); // configured, never started
    Limits limits = server.config().limits();
    SmtpServerDecoder decoder =
        new SmtpServerDecoder(limits.maxLineLength(), false, limits.bodyBufferSize());
    SessionInput input = SessionInput.of(decoder, limits.maxLineLength());
    session = new SmtpSession(host(SessionHost.of(server)), input);
    channel = new EmbeddedChannel(false, false);
    channel.pipeline().addLast(ReplyEncoder.INSTANCE, decoder, session);
    try {
      channel.register(); // activates the channel: the session begins
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    channel.freezeTime(); // from here on time passes only through advance()
    channel.runPendingTasks();
  }

  /**
   * Sends {@code text} as it is (CRLFs included) and returns the codes of the replies it caused.
   */
  List<String> send(String text) {
    channel.writeInbound(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    channel.runPendingTasks();
    return replies();
  }

  /** Lets {@code millis} pass on the channel's clock and runs what became due. */
  List<String> advance(long millis) {
    channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
    channel.runPendingTasks();
    channel.runScheduledPendingTasks();
    return replies();
  }

  /** The server begins to shut down gracefully. */
  List<String> drain() {
    draining = true;
    session.drain();
    channel.runPendingTasks();
    return replies();
  }

  /** The codes of the replies written since the last call (a multiline reply counts once). */
  List<String> replies() {
    StringBuilder text = new StringBuilder();
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) o;
      text.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    List<String> codes = new ArrayList<>();
    for (String line : text.toString().split("\r\n")) {
      if (line.length() >= 4 && line.charAt(3) == ' ') {
        codes.add(line.substring(0, 3));
      }
    }
    return codes;
  }

  Phase phase() {
    return session.phase();
  }

  @Override
  public void close() {
    channel.finishAndReleaseAll();
  }

  /**
   * The server's own answers (every method of {@link SessionHost}, forwarded), except that every
   * connection is admitted, handler methods run at once on the caller and the harness says whether
   * sessions are served. The four are looked up by signature, so that a change to them in {@code
   * SessionHost} fails here rather than going unnoticed.
   */
  private SessionHost host(SessionHost server) {
    InvocationHandler answers =
        (proxy, method, args) -> {
          if (method.equals(ACCEPTS_SESSIONS)) {
            return !draining;
          } else if (method.equals(EXECUTOR)) {
            return (Executor) Runnable::run;
          } else if (method.equals(ACQUIRE)) {
            return true;
          } else if (method.equals(RELEASE)) {
            return null;
          }
          try {
            return method.invoke(server, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (SessionHost)
        Proxy.newProxyInstance(
            SessionHost.class.getClassLoader(), new Class<?>[] {SessionHost.class}, answers);
  }

  private static Method hostMethod(String name, Class<?>... parameters) {
    try {
      return SessionHost.class.getMethod(name, parameters);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
