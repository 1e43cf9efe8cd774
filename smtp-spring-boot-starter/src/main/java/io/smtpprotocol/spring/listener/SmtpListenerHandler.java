package io.smtpprotocol.spring.listener;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.Envelope;
import io.smtpprotocol.handler.MessageBody;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.ReversePath;
import java.io.IOException;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SmtpHandler} that calls {@link SmtpListener} methods.
 *
 * <p>It overrides the method of every event a listener can answer, but {@link #handledEvents()}
 * lists only the events that have listeners: the server answers every other event at once, on its
 * event loop, as if there were no handler.
 */
final class SmtpListenerHandler implements SmtpHandler {

  private static final Logger log = LoggerFactory.getLogger(SmtpListenerHandler.class);

  private final Map<SmtpEvent, ListenerChain> chains;
  private final Set<Event> handledEvents;
  private final boolean bufferBody;

  private SmtpListenerHandler(Map<SmtpEvent, ListenerChain> chains) {
    this.chains = chains;
    EnumSet<Event> events = EnumSet.noneOf(Event.class);
    chains.keySet().forEach(event -> events.add(event.handlerEvent()));
    this.handledEvents = Collections.unmodifiableSet(events);
    ListenerChain message = chains.get(SmtpEvent.MESSAGE);
    this.bufferBody = message != null && message.buffersBody();
  }

  /** A handler calling {@code listeners}, handling only the events that have some. */
  static SmtpListenerHandler create(Map<SmtpEvent, List<ListenerMethod>> listeners) {
    Map<SmtpEvent, ListenerChain> chains = new EnumMap<>(SmtpEvent.class);
    listeners.forEach(
        (event, list) -> {
          if (!list.isEmpty()) {
            chains.put(event, new ListenerChain(list));
          }
        });
    return new SmtpListenerHandler(chains);
  }

  /** The events that have listeners. */
  @Override
  public Set<Event> handledEvents() {
    return handledEvents;
  }

  @Override
  public CompletionStage<Decision> connect(SessionInfo session) {
    ListenerChain chain = chains.get(SmtpEvent.CONNECT);
    return chain == null
        ? SmtpHandler.super.connect(session)
        : chain.decide(ListenerArguments.of(session));
  }

  @Override
  public CompletionStage<Decision> greeting(SessionInfo session, Command.Hello hello) {
    ListenerChain chain = chains.get(SmtpEvent.GREETING);
    return chain == null
        ? SmtpHandler.super.greeting(session, hello)
        : chain.decide(ListenerArguments.greeting(session, hello));
  }

  @Override
  public CompletionStage<Decision> tls(SessionInfo session) {
    ListenerChain chain = chains.get(SmtpEvent.TLS);
    return chain == null
        ? SmtpHandler.super.tls(session)
        : chain.decide(ListenerArguments.of(session));
  }

  @Override
  public CompletionStage<Decision> auth(SessionInfo session, String mechanism, String identity) {
    ListenerChain chain = chains.get(SmtpEvent.AUTH);
    return chain == null
        ? SmtpHandler.super.auth(session, mechanism, identity)
        : chain.decide(ListenerArguments.auth(session, identity));
  }

  @Override
  public CompletionStage<Decision> mailFrom(
      SessionInfo session, ReversePath from, MailParameters parameters) {
    ListenerChain chain = chains.get(SmtpEvent.MAIL_FROM);
    return chain == null
        ? SmtpHandler.super.mailFrom(session, from, parameters)
        : chain.decide(ListenerArguments.mailFrom(session, from, parameters));
  }

  @Override
  public CompletionStage<Decision> rcptTo(
      SessionInfo session, Envelope envelope, Mailbox to, MailParameters parameters) {
    ListenerChain chain = chains.get(SmtpEvent.RCPT_TO);
    return chain == null
        ? SmtpHandler.super.rcptTo(session, envelope, to, parameters)
        : chain.decide(ListenerArguments.rcptTo(session, envelope, to, parameters));
  }

  @Override
  public CompletionStage<Decision> data(SessionInfo session, Envelope envelope) {
    ListenerChain chain = chains.get(SmtpEvent.DATA);
    return chain == null
        ? SmtpHandler.super.data(session, envelope)
        : chain.decide(ListenerArguments.data(session, envelope));
  }

  @Override
  public CompletionStage<Decision> message(
      SessionInfo session, Envelope envelope, MessageBody body) {
    ListenerChain chain = chains.get(SmtpEvent.MESSAGE);
    if (chain == null) {
      return SmtpHandler.super.message(session, envelope, body);
    }
    byte @Nullable [] bytes = null;
    if (bufferBody) {
      try {
        bytes = body.readAllBytes();
      } catch (IOException e) {
        // too large, malformed or lost: the server answers with its own reply
        log.debug("message body in session {} not read: {}", session.id(), e.toString());
        return Decision.reject(Replies.HANDLER_FAILURE).asStage();
      }
    }
    return chain.decide(ListenerArguments.message(session, envelope, body, bytes));
  }

  @Override
  public CompletionStage<List<Decision>> lmtpMessage(
      SessionInfo session, Envelope envelope, MessageBody body) {
    ListenerChain chain = chains.get(SmtpEvent.MESSAGE);
    if (chain == null) {
      return SmtpHandler.super.lmtpMessage(session, envelope, body);
    }
    int recipients = envelope.recipients().size();
    byte @Nullable [] bytes = null;
    if (bufferBody) {
      try {
        bytes = body.readAllBytes();
      } catch (IOException e) {
        log.debug("message body in session {} not read: {}", session.id(), e.toString());
        return CompletableFuture.completedStage(
            Collections.nCopies(recipients, Decision.reject(Replies.HANDLER_FAILURE)));
      }
    }
    return chain.decideEach(ListenerArguments.message(session, envelope, body, bytes), recipients);
  }

  @Override
  public void reset(SessionInfo session) {
    ListenerChain chain = chains.get(SmtpEvent.RESET);
    if (chain != null) {
      chain.notify(ListenerArguments.of(session));
    }
  }

  @Override
  public void quit(SessionInfo session) {
    ListenerChain chain = chains.get(SmtpEvent.QUIT);
    if (chain != null) {
      chain.notify(ListenerArguments.of(session));
    }
  }
}
