package io.smtpprotocol.server;

import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place a session writes to its client and flushes: each reply goes to the transcript
 * (DEBUG, redacted) and to the command metrics, and refusals of bad commands are counted.
 */
final class ReplyWriter {

  private static final Logger transcript = LoggerFactory.getLogger("io.smtpprotocol.transcript");

  /** How long a closing connection's last reply may take to be written before it is dropped. */
  private static final long CLOSE_GRACE_MILLIS = 5_000;

  private final SmtpSession session;
  private final SmtpServerObserver observer;
  private final boolean debug = transcript.isDebugEnabled();
  private int badCommands;

  ReplyWriter(SmtpSession session, SmtpServerObserver observer) {
    this.session = session;
    this.observer = observer;
  }

  /**
   * Writes {@code reply} unless the session is closed; it goes out with the next flush. With a
   * {@code verb} it answers that command and is counted; without, it is a step inside one (a 334).
   */
  void write(Reply reply, @Nullable Verb verb) {
    if (session.closed()) {
      return;
    }
    session.ctx().write(reply);
    if (debug) {
      transcript.debug("{} S: {}", id(), reply.code() == 334 ? "334 ****" : reply);
    }
    if (verb != null) {
      observer.command(verb.name(), reply.code());
      switch (reply.code()) {
        case 500, 501, 502, 503, 504, 555 -> badCommands++;
        default -> {}
      }
    }
  }

  /** Counts {@code reply} to {@code verb} in the metrics, for a reply that goes out on its own. */
  void count(Reply reply, Verb verb) {
    observer.command(verb.name(), reply.code());
  }

  /**
   * Writes the last reply and closes. The close waits for the reply to be written, but never for a
   * client that does not read: with replies still queued for it (or {@code now}) the connection
   * closes at once, and otherwise after {@link #CLOSE_GRACE_MILLIS} at the latest.
   */
  void writeLastAndClose(Reply reply, boolean now) {
    ChannelHandlerContext c = session.ctx();
    if (debug) {
      transcript.debug("{} S: {}", id(), reply);
    }
    boolean stuck = now || !c.channel().isWritable();
    ChannelFuture written = c.writeAndFlush(reply);
    if (stuck || written.isDone()) {
      c.close();
      return;
    }
    written.addListener(ChannelFutureListener.CLOSE);
    ScheduledFuture<?> grace =
        c.executor().schedule(() -> c.close(), CLOSE_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    c.channel().closeFuture().addListener(f -> grace.cancel(false));
  }

  void flush() {
    session.ctx().flush();
  }

  /** How many commands were refused as bad (500-504, 555). */
  int badCommands() {
    return badCommands;
  }

  /** Records a command line the client sent; an AUTH line's argument is left out. */
  void commandLine(String line) {
    if (debug) {
      transcript.debug("{} C: {}", id(), redact(line));
    }
  }

  /** Records that the client sent a line whose content stays secret (an AUTH response). */
  void secretLine() {
    if (debug) {
      transcript.debug("{} C: ****", id());
    }
  }

  /** Records a line that could not be used. */
  void badLine() {
    if (debug) {
      transcript.debug("{} C: <bad line>", id());
    }
  }

  /** Records an event of the session, for example {@code "{} TLS {} {}"}, the id first. */
  void event(String format, @Nullable Object first, @Nullable Object second) {
    if (debug) {
      transcript.debug(format, id(), first, second);
    }
  }

  /** Records an event of the session, the id its only argument. */
  void event(String format) {
    if (debug) {
      transcript.debug(format, id());
    }
  }

  /** Records an event of the session with one argument, the id first. */
  void event(String format, @Nullable Object argument) {
    if (debug) {
      transcript.debug(format, id(), argument);
    }
  }

  private String id() {
    return session.info().id();
  }

  private static String redact(String line) {
    if (line.regionMatches(true, 0, "AUTH ", 0, 5)) {
      int sp = line.indexOf(' ', 5);
      return sp < 0 ? line : line.substring(0, sp) + " ****";
    }
    return line;
  }
}
