package io.smtpprotocol.spring.listener;

import io.smtpprotocol.handler.Decision;
import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.ReversePath;
import io.smtpprotocol.server.Envelope;
import io.smtpprotocol.server.MessageBody;
import io.smtpprotocol.server.SessionInfo;
import java.io.IOException;
import java.lang.reflect.Method;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.cglib.proxy.Callback;
import org.springframework.cglib.proxy.CallbackFilter;
import org.springframework.cglib.proxy.Enhancer;
import org.springframework.cglib.proxy.MethodInterceptor;
import org.springframework.cglib.proxy.MethodProxy;
import org.springframework.cglib.proxy.NoOp;

/**
 * The {@link SmtpHandler} that calls {@link SmtpListener} methods.
 *
 * <p>The server answers an event whose handler method is not overridden at once, on its event
 * loop, without a trip to the handler threads. To keep that for events without listeners, {@link
 * #create} makes a subclass at run time that overrides exactly the methods of the events that have
 * listeners; every other method stays the interface's default.
 */
class SmtpListenerHandler implements SmtpHandler {

  private static final Logger log = LoggerFactory.getLogger(SmtpListenerHandler.class);

  private final Map<SmtpEvent, ListenerChain> chains;
  private final boolean bufferBody;

  SmtpListenerHandler(Map<SmtpEvent, ListenerChain> chains) {
    this.chains = new EnumMap<>(chains);
    ListenerChain message = chains.get(SmtpEvent.MESSAGE);
    this.bufferBody = message != null && message.buffersBody();
  }

  /** A handler overriding only the methods of the events in {@code listeners}. */
  static SmtpHandler create(Map<SmtpEvent, List<ListenerMethod>> listeners) {
    Map<SmtpEvent, ListenerChain> chains = new EnumMap<>(SmtpEvent.class);
    listeners.forEach(
        (event, list) -> {
          if (!list.isEmpty()) {
            chains.put(event, new ListenerChain(list));
          }
        });
    if (chains.isEmpty()) {
      return new SmtpListenerHandler(chains);
    }
    Enhancer enhancer = new Enhancer();
    enhancer.setSuperclass(SmtpListenerHandler.class);
    enhancer.setUseFactory(false);
    enhancer.setClassLoader(SmtpListenerHandler.class.getClassLoader());
    enhancer.setCallbackFilter(new EventFilter(EnumSet.copyOf(chains.keySet())));
    enhancer.setCallbacks(new Callback[] {NoOp.INSTANCE, EventInterceptor.INSTANCE});
    return (SmtpHandler) enhancer.create(new Class<?>[] {Map.class}, new Object[] {chains});
  }

  /** The event a handler method belongs to, or null for other methods. */
  static @Nullable SmtpEvent eventOf(Method method) {
    if (method.getDeclaringClass() != SmtpHandler.class) {
      return null;
    }
    return switch (method.getName()) {
      case "connect" -> SmtpEvent.CONNECT;
      case "greeting" -> SmtpEvent.GREETING;
      case "tls" -> SmtpEvent.TLS;
      case "auth" -> SmtpEvent.AUTH;
      case "mailFrom" -> SmtpEvent.MAIL_FROM;
      case "rcptTo" -> SmtpEvent.RCPT_TO;
      case "data" -> SmtpEvent.DATA;
      case "message" -> SmtpEvent.MESSAGE;
      case "reset" -> SmtpEvent.RESET;
      case "quit" -> SmtpEvent.QUIT;
      default -> null;
    };
  }

  /** Calls the listeners of {@code event} with the handler method's arguments. */
  final @Nullable Object dispatch(SmtpEvent event, @Nullable Object[] args) {
    ListenerChain chain = chains.get(event);
    if (chain == null) {
      throw new IllegalStateException("no listener for " + event);
    }
    SessionInfo session = (SessionInfo) args[0];
    switch (event) {
      case CONNECT:
      case TLS:
        return chain.decide(ListenerArguments.of(session));
      case GREETING:
        return chain.decide(ListenerArguments.greeting(session, (Command.Hello) args[1]));
      case AUTH: // auth(session, mechanism, identity)
        return chain.decide(ListenerArguments.auth(session, (String) args[2]));
      case MAIL_FROM:
        return chain.decide(
            ListenerArguments.mailFrom(session, (ReversePath) args[1], (MailParameters) args[2]));
      case RCPT_TO:
        return chain.decide(
            ListenerArguments.rcptTo(
                session, (Envelope) args[1], (Mailbox) args[2], (MailParameters) args[3]));
      case DATA:
        return chain.decide(ListenerArguments.data(session, (Envelope) args[1]));
      case MESSAGE:
        return message(chain, session, (Envelope) args[1], (MessageBody) args[2]);
      case RESET:
      case QUIT:
      default:
        chain.notify(ListenerArguments.of(session));
        return null;
    }
  }

  private CompletionStage<Decision> message(
      ListenerChain chain, SessionInfo session, Envelope envelope, MessageBody body) {
    byte[] bytes = null;
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

  /** Sends the methods of the chosen events to the interceptor, leaves every other alone. */
  private record EventFilter(Set<SmtpEvent> events) implements CallbackFilter {
    @Override
    public int accept(Method method) {
      SmtpEvent event = eventOf(method);
      return event != null && events.contains(event) ? 1 : 0;
    }
  }

  private static final class EventInterceptor implements MethodInterceptor {
    static final EventInterceptor INSTANCE = new EventInterceptor();

    @Override
    public @Nullable Object intercept(
        Object target, Method method, @Nullable Object[] args, MethodProxy proxy) {
      SmtpEvent event = eventOf(method);
      if (event == null) {
        throw new IllegalStateException("not an event method: " + method);
      }
      return ((SmtpListenerHandler) target).dispatch(event, args);
    }
  }
}
