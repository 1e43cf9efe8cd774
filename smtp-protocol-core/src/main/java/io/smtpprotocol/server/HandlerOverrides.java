package io.smtpprotocol.server;

import io.smtpprotocol.handler.SmtpHandler;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.MailParameters;
import io.smtpprotocol.protocol.Mailbox;
import io.smtpprotocol.protocol.ReversePath;

/**
 * Which {@link SmtpHandler} methods the application overrides. An event whose method is not
 * overridden is answered on the event loop by the default, without a trip to the handler executor.
 */
record HandlerOverrides(
    boolean connect,
    boolean greeting,
    boolean tls,
    boolean auth,
    boolean mailFrom,
    boolean rcptTo,
    boolean data,
    boolean message,
    boolean verify,
    boolean command,
    boolean reset,
    boolean quit,
    boolean disconnect) {

  static HandlerOverrides of(SmtpHandler handler) {
    Class<?> c = handler.getClass();
    return new HandlerOverrides(
        overrides(c, "connect", SessionInfo.class),
        overrides(c, "greeting", SessionInfo.class, Command.Hello.class),
        overrides(c, "tls", SessionInfo.class),
        overrides(c, "auth", SessionInfo.class, String.class, String.class),
        overrides(c, "mailFrom", SessionInfo.class, ReversePath.class, MailParameters.class),
        overrides(c, "rcptTo", SessionInfo.class, Envelope.class, Mailbox.class, MailParameters.class),
        overrides(c, "data", SessionInfo.class, Envelope.class),
        overrides(c, "message", SessionInfo.class, Envelope.class, MessageBody.class),
        overrides(c, "verify", SessionInfo.class, String.class),
        overrides(c, "command", SessionInfo.class, String.class, String.class),
        overrides(c, "reset", SessionInfo.class),
        overrides(c, "quit", SessionInfo.class),
        overrides(c, "disconnect", SessionInfo.class));
  }

  private static boolean overrides(Class<?> type, String name, Class<?>... parameters) {
    try {
      return type.getMethod(name, parameters).getDeclaringClass() != SmtpHandler.class;
    } catch (NoSuchMethodException e) {
      return true;
    }
  }
}
