package io.smtpprotocol.handler;

import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;
import java.lang.reflect.Method;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The default of {@link SmtpHandler#handledEvents()}: the events whose methods a class overrides.
 */
final class OverriddenEvents {

  private OverriddenEvents() {}

  static Set<SmtpHandler.Event> of(Class<? extends SmtpHandler> type) {
    EnumSet<SmtpHandler.Event> events = EnumSet.noneOf(SmtpHandler.Event.class);
    for (SmtpHandler.Event event : SmtpHandler.Event.values()) {
      if (overrides(type, event)) {
        events.add(event);
      }
    }
    return Collections.unmodifiableSet(events);
  }

  private static boolean overrides(Class<?> type, SmtpHandler.Event event) {
    Method method;
    try {
      method = method(type, event);
    } catch (NoSuchMethodException e) {
      return true; // cannot happen for an SmtpHandler; calling it is the safe side
    }
    if (method.getDeclaringClass() != SmtpHandler.class) {
      return true;
    }
    if (event == SmtpHandler.Event.MESSAGE) {
      try {
        return type.getMethod("lmtpMessage", SessionInfo.class, Envelope.class, MessageBody.class)
                .getDeclaringClass()
            != SmtpHandler.class;
      } catch (NoSuchMethodException e) {
        return true;
      }
    }
    return false;
  }

  private static Method method(Class<?> type, SmtpHandler.Event event)
      throws NoSuchMethodException {
    return switch (event) {
      case CONNECT -> type.getMethod("connect", SessionInfo.class);
      case GREETING -> type.getMethod("greeting", SessionInfo.class, Command.Hello.class);
      case TLS -> type.getMethod("tls", SessionInfo.class);
      case AUTH -> type.getMethod("auth", SessionInfo.class, String.class, String.class);
      case MAIL_FROM ->
          type.getMethod("mailFrom", SessionInfo.class, ReversePath.class, MailParameters.class);
      case RCPT_TO ->
          type.getMethod(
              "rcptTo", SessionInfo.class, Envelope.class, Mailbox.class, MailParameters.class);
      case DATA -> type.getMethod("data", SessionInfo.class, Envelope.class);
      case MESSAGE ->
          type.getMethod("message", SessionInfo.class, Envelope.class, MessageBody.class);
      case VERIFY -> type.getMethod("verify", SessionInfo.class, String.class);
      case COMMAND -> type.getMethod("command", SessionInfo.class, String.class, String.class);
      case RESET -> type.getMethod("reset", SessionInfo.class);
      case QUIT -> type.getMethod("quit", SessionInfo.class);
      case DISCONNECT -> type.getMethod("disconnect", SessionInfo.class);
    };
  }
}
