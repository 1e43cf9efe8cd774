package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import io.smtpprotocol.testing.RawClient.WireReply;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One session in an {@link EmbeddedChannel}, without sockets and without a started server: a
 * transcript goes in, the replies come out. Handler methods run at once on the test thread, so the
 * handler must answer without waiting for the event loop; a handler may also return a future that
 * the test completes later (then {@link #reply()} runs what became pending).
 *
 * <p>Two ways to read: {@link #send} and {@link #replies()} give the codes of everything written so
 * far; {@link #write}, {@link #command} and {@link #reply()} speak like {@code RawClient}, one
 * whole reply (code and lines) at a time, for tests that moved here from a socket.
 */
final class SessionHarness implements AutoCloseable {

  // the host methods the harness answers itself (see host())
  private static final Method ACCEPTS_SESSIONS = hostMethod("acceptsSessions");
  private static final Method EXECUTOR = hostMethod("executor");
  private static final Method ACQUIRE = hostMethod("acquire", InetAddress.class);
  private static final Method RELEASE = hostMethod("release", InetAddress.class);

  // bounds how often reply() runs pending tasks while it waits for a reply
  private static final int MAX_ROUNDS = 100;

  /** Where the harness's client connects from: a loopback address, as a local test client's. */
  static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40001);

  final EmbeddedChannel channel;

  // The channel's clock: time passes only through elapse(), from before the session begins, so
  // that the timers it starts at once (greeting delay, session time) count from the test's zero.
  private final MockTicker clock = Ticker.newMockTicker();
  final SmtpSession session;
  private final Later later;
  private boolean draining;
  private final StringBuilder unread = new StringBuilder(); // output not yet a whole reply
  private final Deque<WireReply> pending = new ArrayDeque<>(); // whole replies not yet taken

  SessionHarness(SmtpServerBuilder builder) {
    this(builder, new Later());
  }

  /**
   * A session whose handler may answer through {@code later}: the harness completes those answers
   * one at a time while {@link #reply()} waits for a reply.
   */
  SessionHarness(SmtpServerBuilder builder, Later later) {
    this.later = later;
    SmtpServer server = builder.build(); // configured, never started
    Limits limits = server.config().limits();
    SmtpServerDecoder decoder =
        new SmtpServerDecoder(limits.maxLineLength(), false, limits.bodyBufferSize());
    SessionInput input = SessionInput.of(decoder, limits.maxLineLength());
    Executor handlerExecutor = server.parts().handlerExecutor();
    session =
        new SmtpSession(
            host(SessionHost.of(server), handlerExecutor == null ? Runnable::run : handlerExecutor),
            input);
    channel = new ClientChannel(clock);
    channel.pipeline().addLast(ReplyEncoder.INSTANCE, decoder, session);
    try {
      channel.register(); // activates the channel: the session begins
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
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
    elapse(millis);
    return replies();
  }

  /** The server begins to shut down gracefully. */
  List<String> drain() {
    draining();
    return replies();
  }

  /** The server begins to shut down gracefully, leaving the replies it caused to be read. */
  SessionHarness draining() {
    draining = true;
    session.drain();
    channel.runPendingTasks();
    return this;
  }

  /** The server's drain time is over: it closes the session at once, leaving its reply to read. */
  SessionHarness drainTimeOver() {
    session.forceClose();
    channel.runPendingTasks();
    return this;
  }

  /** The codes of the replies written since the last call (a multiline reply counts once). */
  List<String> replies() {
    collect();
    List<String> codes = new ArrayList<>();
    for (WireReply r; (r = pending.poll()) != null; ) {
      codes.add(String.valueOf(r.code()));
    }
    return codes;
  }

  /** A session that has sent its 220 greeting, which was read. */
  static SessionHarness greeted(SmtpServerBuilder builder) {
    SessionHarness s = new SessionHarness(builder);
    WireReply greeting = s.reply();
    if (greeting.code() != 220) {
      s.close();
      throw new AssertionError("expected a 220 greeting, got " + greeting);
    }
    return s;
  }

  /** A greeted session after {@code EHLO client.test}, answered 250. */
  static SessionHarness afterEhlo(SmtpServerBuilder builder) {
    SessionHarness s = greeted(builder);
    s.ehlo();
    return s;
  }

  /** Sends text as it is (UTF-8; the caller writes the CRLFs), leaving its replies to be read. */
  SessionHarness write(String raw) {
    return writeBytes(raw.getBytes(StandardCharsets.UTF_8));
  }

  /** Sends octets as they are, leaving their replies to be read. */
  SessionHarness writeBytes(byte[] raw) {
    channel.writeInbound(Unpooled.wrappedBuffer(raw));
    channel.runPendingTasks();
    return this;
  }

  /** Lets {@code millis} pass on the channel's clock, leaving the replies it caused to be read. */
  SessionHarness elapse(long millis) {
    clock.advance(millis, TimeUnit.MILLISECONDS);
    channel.runPendingTasks();
    channel.runScheduledPendingTasks();
    return this;
  }

  /** Sends a line with CRLF and takes the next reply. */
  WireReply command(String line) {
    write(line + "\r\n");
    return reply();
  }

  /** Sends {@code EHLO client.test} and checks the 250 reply. */
  WireReply ehlo() {
    WireReply r = command("EHLO client.test");
    if (r.code() != 250) {
      throw new AssertionError("expected 250 to EHLO, got " + r);
    }
    return r;
  }

  /**
   * The next whole reply. When none is there yet, completes the oldest {@link Later} answer and
   * runs the tasks that became pending (also those of a handler's future the test completed), a
   * bounded number of times; fails when still none.
   */
  WireReply reply() {
    for (int round = 0; round < MAX_ROUNDS; round++) {
      collect();
      WireReply r = pending.poll();
      if (r != null) {
        return r;
      }
      later.completeOne();
      channel.runPendingTasks();
      channel.runScheduledPendingTasks();
    }
    throw new AssertionError("no reply; unread output: [" + unread + "]");
  }

  /** The next {@code n} whole replies. */
  List<WireReply> replies(int n) {
    List<WireReply> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(reply());
    }
    return list;
  }

  /** Whether the session closed the channel and wrote nothing more that was not read. */
  boolean closedByServer() {
    channel.runPendingTasks();
    collect();
    return pending.isEmpty() && unread.length() == 0 && !channel.isOpen();
  }

  /** Whether nothing was written that was not read, after running what is pending. */
  boolean silent() {
    channel.runPendingTasks();
    collect();
    return pending.isEmpty() && unread.length() == 0;
  }

  /** Moves what the channel wrote into {@link #pending}, as whole replies. */
  private void collect() {
    for (Object o; (o = channel.readOutbound()) != null; ) {
      ByteBuf buf = (ByteBuf) o;
      unread.append(buf.toString(StandardCharsets.UTF_8));
      buf.release();
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int end; (end = unread.indexOf("\r\n", start)) >= 0; start = end + 2) {
      String line = unread.substring(start, end);
      if (line.length() < 3) {
        throw new AssertionError("malformed reply line: " + line);
      }
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (line.length() == 3 || line.charAt(3) != '-') {
        pending.add(new WireReply(Integer.parseInt(line.substring(0, 3)), List.copyOf(lines)));
        lines.clear();
        unread.delete(0, end + 2);
        start = 0;
        end = -2;
      }
    }
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
   * connection is admitted, handler methods run on {@code executor} (at once on the caller, unless
   * the builder was given a handler executor, which must run its tasks on the caller too) and the
   * harness says whether sessions are served. The four are looked up by signature, so that a change
   * to them in {@code SessionHost} fails here rather than going unnoticed.
   */
  private SessionHost host(SessionHost server, Executor executor) {
    InvocationHandler answers =
        (proxy, method, args) -> {
          if (method.equals(ACCEPTS_SESSIONS)) {
            return !draining;
          } else if (method.equals(EXECUTOR)) {
            return executor;
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

  /** An {@code EmbeddedChannel} whose peer is {@link #CLIENT}, as the session sees it. */
  private static final class ClientChannel extends EmbeddedChannel {
    ClientChannel(MockTicker clock) {
      super(EmbeddedChannel.builder().register(false).hasDisconnect(false).ticker(clock));
    }

    @Override
    protected SocketAddress remoteAddress0() {
      return isActive() ? CLIENT : null;
    }
  }

  private static Method hostMethod(String name, Class<?>... parameters) {
    try {
      return SessionHost.class.getMethod(name, parameters);
    } catch (NoSuchMethodException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}
