package io.smtpprotocol.server;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageAbortedException;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import io.smtpprotocol.server.SmtpInput.ContentStatus;
import io.smtpprotocol.server.SmtpServerObserver.MessageOutcome;
import java.util.Collections;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The mail transaction of a session and the intake of its message: DATA content and BDAT chunks are
 * streamed to the message handler, and the final reply waits for both the content and the handler
 * (see {@link Transaction#ending}).
 */
final class MessageIntake {

  private final SmtpSession session;
  private final SessionInput input;
  private final ReplyWriter out;
  private final HandlerCalls calls;
  private final HandlerOverrides overrides;
  private final SmtpHandler handler;
  private final SmtpServerObserver observer;
  private final Limits limits;
  private final boolean lmtp;

  private @Nullable Transaction tx;

  /** Content (DATA or a BDAT chunk) is being read. */
  private boolean readingContent;

  /** A BDAT chunk being read: its command, and the reply to give when it was refused. */
  private Command.@Nullable Bdat chunk;

  private @Nullable Reply chunkRefusal;

  MessageIntake(
      SmtpSession session,
      SessionHost host,
      SessionInput input,
      ReplyWriter out,
      HandlerCalls calls) {
    this.session = session;
    this.input = input;
    this.out = out;
    this.calls = calls;
    this.overrides = host.overrides();
    this.handler = host.handler();
    this.observer = host.observer();
    this.limits = host.config().limits();
    this.lmtp = host.config().lmtp();
  }

  /** The transaction under way, or null. */
  @Nullable Transaction transaction() {
    return tx;
  }

  /** Starts a transaction (MAIL was accepted). */
  void begin(Envelope envelope) {
    tx = new Transaction(envelope);
  }

  /** Forgets the transaction (RSET, HELO, STARTTLS); a message handler reading it is stopped. */
  void reset() {
    Transaction t = tx;
    if (t != null) {
      tx = null;
      if (t.body != null) {
        t.body.fail(new MessageAbortedException("transaction reset"));
      }
    }
  }

  /** The connection is gone: a message handler reading the content is stopped. */
  void connectionLost() {
    Transaction t = tx;
    if (t != null) {
      tx = null;
      if (t.body != null) {
        t.body.fail(new MessageAbortedException("connection lost"));
        observer.message(MessageOutcome.FAILED, t.size, t.sinceStart());
      }
    }
  }

  // ---------------------------------------------------------------- DATA

  void data(Transaction t) {
    SessionInfo snapshot = session.info();
    Envelope envelope = t.envelope;
    calls.decide(
        Event.DATA,
        h -> h.data(snapshot, envelope),
        d -> {
          if (tx != t) {
            session.next();
            return;
          }
          if (!d.accepted()) {
            out.write(d.replyOr(Replies.DATA_REJECTED, Replies.DATA_REJECTED), Verb.DATA);
            session.next();
            return;
          }
          t.body = newBody(t);
          // Only a 354 may open the content, whatever reply an accepting handler gave.
          Reply goAhead = d.reply();
          out.write(
              goAhead != null && goAhead.code() == 354 ? goAhead : Replies.START_MAIL_INPUT,
              Verb.DATA);
          session.armIdle();
          readingContent = true;
          input.readData(limits.maxMessageSize());
        });
  }

  void onContent(ByteBuf content) {
    Transaction t = tx;
    BodyQueue body = t == null ? null : t.body;
    if (t == null || body == null) {
      content.release();
      return;
    }
    session.armIdle();
    if (body.offer(content)) {
      if (!t.handlerStarted) {
        startMessageHandler(t);
      }
      if (!body.isDiscarding()) {
        input.pauseContent();
      }
    }
  }

  /** The decoder's news about the content: a problem, the end of DATA, the end of a chunk. */
  void onContentEvent(SmtpInput event) {
    if (event instanceof SmtpInput.ContentProblem problem) {
      onContentProblem(problem.status());
    } else if (event instanceof SmtpInput.ContentEnd end) {
      onContentEnd(end.status(), end.size());
    } else if (event instanceof SmtpInput.ChunkEnd end) {
      onChunkEnd(end.size());
    }
  }

  private void onContentProblem(ContentStatus status) {
    Transaction t = tx;
    if (t != null && t.body != null) {
      t.body.fail(
          new MessageAbortedException(
              status == ContentStatus.TOO_LARGE
                  ? "message exceeds " + limits.maxMessageSize() + " octets"
                  : "bare CR or LF in message"));
    }
  }

  private void onContentEnd(ContentStatus status, long size) {
    readingContent = false;
    Transaction t = tx;
    if (t == null) {
      session.next();
      return;
    }
    t.contentEnd = status;
    t.size = size;
    BodyQueue body = t.body;
    if (status == ContentStatus.COMPLETE) {
      if (body != null) {
        body.complete();
      }
      if (!t.handlerStarted) {
        startMessageHandler(t);
      }
    }
    finish(t);
  }

  // ---------------------------------------------------------------- BDAT (RFC 3030)

  void bdat(Command.Bdat bdat, Transaction t) {
    Reply refused;
    if (t.failure != null) {
      refused = t.failure;
    } else if (t.bdatOctets + bdat.size() > limits.maxMessageSize()) {
      t.failure = Replies.MESSAGE_TOO_BIG;
      if (t.body != null) {
        t.body.fail(
            new MessageAbortedException("message exceeds " + limits.maxMessageSize() + " octets"));
      }
      refused = Replies.MESSAGE_TOO_BIG;
    } else {
      refused = null;
    }
    if (refused != null) {
      readChunk(bdat, refused);
      return;
    }
    t.bdat = true;
    if (t.body != null) {
      readChunk(bdat, null);
      return;
    }
    SessionInfo snapshot = session.info();
    Envelope envelope = t.envelope;
    calls.decide(
        Event.DATA,
        h -> h.data(snapshot, envelope),
        d -> {
          if (tx != t) {
            readChunk(bdat, Replies.NEED_MAIL);
          } else if (!d.accepted()) {
            t.failure = d.replyOr(Replies.DATA_REJECTED, Replies.DATA_REJECTED);
            readChunk(bdat, t.failure);
          } else {
            t.body = newBody(t);
            readChunk(bdat, null);
          }
        });
  }

  /** Reads one chunk; a refused chunk is read and dropped, then answered with the refusal. */
  void readChunk(Command.Bdat bdat, @Nullable Reply refusal) {
    chunk = bdat;
    chunkRefusal = refusal;
    session.armIdle();
    readingContent = true;
    input.readChunk(bdat.size(), refusal != null);
  }

  private void onChunkEnd(long size) {
    readingContent = false;
    Command.Bdat bdat = chunk;
    Reply refusal = chunkRefusal;
    chunk = null;
    chunkRefusal = null;
    Transaction t = tx;
    if (bdat == null) {
      return;
    }
    if (refusal != null || t == null || t.failure != null) {
      Reply reply =
          refusal != null
              ? refusal
              : t != null && t.failure != null ? t.failure : Replies.NEED_MAIL;
      if (bdat.last() && t != null) {
        end(t, MessageOutcome.FAILED);
      }
      out.write(reply, Verb.BDAT);
      session.next();
      return;
    }
    t.bdatOctets += size;
    t.size = t.bdatOctets;
    if (!bdat.last()) {
      out.write(Reply.of(250, "2.0.0", size + " octets received"), Verb.BDAT);
      session.next();
      return;
    }
    t.contentEnd = ContentStatus.COMPLETE;
    BodyQueue body = t.body;
    if (body != null) {
      body.complete();
    }
    if (!t.handlerStarted) {
      startMessageHandler(t);
    }
    finish(t);
  }

  // ---------------------------------------------------------------- the message handler

  /** The content stream; when the handler has drained it, the session reads more content. */
  private BodyQueue newBody(Transaction t) {
    ChannelHandlerContext c = session.ctx();
    BodyQueue[] holder = new BodyQueue[1];
    BodyQueue body =
        new BodyQueue(
            limits.bodyBufferSize(),
            () ->
                c.executor()
                    .execute(
                        () -> {
                          if (tx == t
                              && t.body == holder[0]
                              && !session.closed()
                              && readingContent) {
                            session.armIdle();
                            input.resumeContent();
                          }
                        }));
    holder[0] = body;
    return body;
  }

  private void startMessageHandler(Transaction t) {
    BodyQueue body = t.body;
    if (body == null) {
      return;
    }
    t.handlerStarted = true;
    SessionInfo snapshot = session.info();
    Envelope envelope = t.envelope;
    if (!overrides.handles(Event.MESSAGE)) {
      t.decision =
          calls.decisionOf(
              HandlerOverrides.DEFAULTS.message(snapshot, envelope, body), Event.MESSAGE);
      t.handlerDone = true;
      body.close();
      return;
    }
    if (lmtp) {
      calls.call(
          Event.MESSAGE,
          () -> handler.lmtpMessage(snapshot, envelope, body),
          (List<Decision> decisions, @Nullable Throwable error) -> {
            List<Decision> each;
            if (error != null || decisions == null) {
              each =
                  Collections.nCopies(
                      envelope.recipients().size(), calls.failureDecision(Event.MESSAGE, error));
            } else if (decisions.size() != envelope.recipients().size()) {
              each =
                  Collections.nCopies(
                      envelope.recipients().size(),
                      calls.failureDecision(
                          Event.MESSAGE,
                          new IllegalStateException(
                              "lmtpMessage gave "
                                  + decisions.size()
                                  + " decisions for "
                                  + envelope.recipients().size()
                                  + " recipients")));
            } else {
              each = List.copyOf(decisions);
            }
            t.recipientDecisions = each;
            handled(
                t, body, each.stream().filter(Decision::accepted).findFirst().orElse(each.get(0)));
          });
      return;
    }
    calls.call(
        Event.MESSAGE,
        () -> handler.message(snapshot, envelope, body),
        (Decision d, @Nullable Throwable error) -> {
          Decision decision =
              error != null || d == null ? calls.failureDecision(Event.MESSAGE, error) : d;
          handled(t, body, decision);
        });
  }

  /** The message handler is done: its decision (for LMTP, one accepting if any did). */
  private void handled(Transaction t, BodyQueue body, Decision decision) {
    body.close();
    if (tx != t) {
      return;
    }
    t.decision = decision;
    t.handlerDone = true;
    if (t.bdat && t.contentEnd == null && !decision.accepted() && t.failure == null) {
      t.failure = decision.replyOr(Replies.MESSAGE_REJECTED, Replies.MESSAGE_REJECTED);
    }
    finish(t);
  }

  /** Answers the message once its content and its handler are both done. */
  private void finish(Transaction t) {
    if (tx != t) {
      return;
    }
    Transaction.Ending ending = t.ending();
    if (ending == null) {
      return;
    }
    end(t, ending.outcome());
    Verb verb = t.bdat ? Verb.BDAT : Verb.DATA;
    if (!lmtp) {
      out.write(ending.reply(), verb);
    } else {
      // RFC 2033 section 4.2: one reply per accepted recipient, in order
      List<Decision> each = t.recipientDecisions;
      boolean decided = each != null && t.contentEnd == ContentStatus.COMPLETE && t.failure == null;
      for (int i = 0; i < t.envelope.recipients().size(); i++) {
        out.write(
            decided && each != null
                ? each.get(i).replyOr(Replies.MESSAGE_ACCEPTED, Replies.MESSAGE_REJECTED)
                : ending.reply(),
            verb);
      }
    }
    session.next();
  }

  private void end(Transaction t, MessageOutcome outcome) {
    if (tx == t) {
      tx = null;
    }
    BodyQueue body = t.body;
    if (body != null) {
      body.close();
      observer.message(outcome, t.size, t.sinceStart());
    }
  }
}
