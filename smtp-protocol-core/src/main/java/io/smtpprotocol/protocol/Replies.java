package io.smtpprotocol.protocol;

/**
 * The catalogue of replies the engine sends by itself. Applications may use them in their decisions
 * too.
 */
public final class Replies {

  private Replies() {}

  public static final Reply OK = Reply.of(250, "2.0.0", "Ok");
  public static final Reply SENDER_OK = Reply.of(250, "2.1.0", "Sender ok");
  public static final Reply RECIPIENT_OK = Reply.of(250, "2.1.5", "Recipient ok");
  public static final Reply MESSAGE_ACCEPTED = Reply.of(250, "2.0.0", "Ok: message accepted");
  public static final Reply START_MAIL_INPUT = Reply.of(354, "End data with <CR><LF>.<CR><LF>");
  public static final Reply BYE = Reply.of(221, "2.0.0", "Bye");
  public static final Reply CANNOT_VRFY =
      Reply.of(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");
  public static final Reply HELP =
      Reply.of(214, "2.0.0", "Commands: HELO EHLO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP");

  public static final Reply SERVICE_SHUTTING_DOWN =
      Reply.of(421, "4.3.2", "Service shutting down, closing transmission channel");
  public static final Reply TOO_MANY_CONNECTIONS =
      Reply.of(421, "4.7.0", "Too many connections, try again later");
  public static final Reply TOO_MANY_ERRORS =
      Reply.of(421, "4.7.0", "Too many errors, closing transmission channel");
  public static final Reply IDLE_TIMEOUT =
      Reply.of(421, "4.4.2", "Idle timeout, closing transmission channel");
  public static final Reply SESSION_TIMEOUT =
      Reply.of(421, "4.4.2", "Session time limit exceeded, closing transmission channel");
  public static final Reply TOO_MANY_RECIPIENTS = Reply.of(452, "4.5.3", "Too many recipients");
  public static final Reply HANDLER_FAILURE =
      Reply.of(451, "4.3.0", "Local error in processing, try again later");
  public static final Reply SERVER_BUSY = Reply.of(451, "4.3.2", "Server busy, try again later");

  public static final Reply COMMAND_UNRECOGNIZED = Reply.of(500, "5.5.1", "Command unrecognized");
  public static final Reply LINE_TOO_LONG = Reply.of(500, "5.5.6", "Line too long");
  public static final Reply BARE_LINE_ENDING_IN_COMMAND =
      Reply.of(500, "5.5.2", "Bare CR or LF in command line");
  public static final Reply CONTROL_CHARACTER =
      Reply.of(500, "5.5.2", "Control characters not allowed in command line");
  public static final Reply INVALID_UTF8 = Reply.of(500, "5.6.7", "Invalid UTF-8 in command line");
  public static final Reply SYNTAX_ERROR = Reply.of(501, "5.5.4", "Syntax error in parameters");
  public static final Reply HELO_REQUIRES_DOMAIN = Reply.of(501, "5.5.4", "Syntax: HELO hostname");
  public static final Reply EHLO_REQUIRES_DOMAIN = Reply.of(501, "5.5.4", "Syntax: EHLO hostname");
  public static final Reply MAIL_SYNTAX =
      Reply.of(501, "5.5.4", "Syntax: MAIL FROM:<address> [parameters]");
  public static final Reply RCPT_SYNTAX =
      Reply.of(501, "5.5.4", "Syntax: RCPT TO:<address> [parameters]");
  public static final Reply BAD_SENDER_ADDRESS =
      Reply.of(501, "5.1.7", "Bad sender address syntax");
  public static final Reply BAD_RECIPIENT_ADDRESS =
      Reply.of(501, "5.1.3", "Bad recipient address syntax");
  public static final Reply NO_ARGUMENTS_ALLOWED =
      Reply.of(501, "5.5.4", "Syntax: command takes no arguments");
  public static final Reply BDAT_SYNTAX = Reply.of(501, "5.5.4", "Syntax: BDAT size [LAST]");
  public static final Reply EXPN_NOT_IMPLEMENTED = Reply.of(502, "5.5.1", "EXPN not implemented");
  public static final Reply COMMAND_NOT_IMPLEMENTED =
      Reply.of(502, "5.5.1", "Command not implemented");
  public static final Reply NEED_HELO = Reply.of(503, "5.5.1", "Send HELO/EHLO first");
  public static final Reply NEED_MAIL = Reply.of(503, "5.5.1", "Need MAIL command");
  public static final Reply NEED_RCPT = Reply.of(503, "5.5.1", "Need RCPT command");
  public static final Reply NESTED_MAIL = Reply.of(503, "5.5.1", "Nested MAIL command");
  public static final Reply DATA_AFTER_BDAT =
      Reply.of(503, "5.5.1", "DATA not allowed after BDAT in one transaction");
  public static final Reply BDAT_AFTER_FAILURE =
      Reply.of(503, "5.5.1", "Transaction failed, send RSET");
  public static final Reply UNKNOWN_PARAMETER = Reply.of(555, "5.5.4", "Unsupported parameter");
  public static final Reply SMTPUTF8_REQUIRED =
      Reply.of(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
  public static final Reply MESSAGE_TOO_BIG =
      Reply.of(552, "5.3.4", "Message size exceeds fixed maximum message size");
  public static final Reply BARE_LINE_ENDING_IN_DATA =
      Reply.of(550, "5.6.0", "Bare CR or LF in message content not allowed");
  public static final Reply EARLY_TALKER =
      Reply.of(554, "5.5.0", "Protocol error: input before the greeting");
  public static final Reply NO_MESSAGE_HANDLER =
      Reply.of(554, "5.3.2", "Message not accepted: no message handler");

  public static final Reply HELLO_REJECTED = Reply.of(550, "5.7.1", "Hello rejected");
  public static final Reply CONNECTION_REJECTED = Reply.of(554, "5.7.1", "Connection rejected");
  public static final Reply SENDER_REJECTED = Reply.of(550, "5.7.1", "Sender rejected");
  public static final Reply RECIPIENT_REJECTED = Reply.of(550, "5.1.1", "Recipient rejected");
  public static final Reply DOMAIN_NOT_SERVED =
      Reply.of(550, "5.1.1", "No such mailbox here: domain not served");
  public static final Reply DATA_REJECTED = Reply.of(554, "5.5.1", "Data rejected");
  public static final Reply MESSAGE_REJECTED = Reply.of(554, "5.7.1", "Message rejected");
  public static final Reply COMMAND_REJECTED = Reply.of(550, "5.7.1", "Command rejected");

  // ---------------------------------------------------------------- STARTTLS (RFC 3207)

  public static final Reply READY_TO_START_TLS = Reply.of(220, "2.0.0", "Ready to start TLS");
  public static final Reply TLS_ALREADY_ACTIVE = Reply.of(503, "5.5.1", "TLS already active");
  public static final Reply TLS_NOT_AVAILABLE =
      Reply.of(454, "4.7.0", "TLS not available due to temporary reason");
  public static final Reply TLS_REQUIRED =
      Reply.of(530, "5.7.0", "Must issue a STARTTLS command first");
  public static final Reply TLS_REJECTED = Reply.of(554, "5.7.1", "TLS session rejected");

  // ---------------------------------------------------------------- AUTH (RFC 4954)

  public static final Reply AUTH_SUCCEEDED = Reply.of(235, "2.7.0", "Authentication successful");
  public static final Reply AUTH_FAILED =
      Reply.of(535, "5.7.8", "Authentication credentials invalid");
  public static final Reply AUTH_REQUIRED = Reply.of(530, "5.7.0", "Authentication required");
  public static final Reply AUTH_CANCELLED = Reply.of(501, "5.7.0", "Authentication cancelled");
  public static final Reply AUTH_BAD_BASE64 =
      Reply.of(501, "5.5.2", "Cannot Base64-decode client response");
  public static final Reply AUTH_MALFORMED =
      Reply.of(501, "5.5.2", "Malformed authentication response");
  public static final Reply AUTH_INITIAL_RESPONSE_NOT_ALLOWED =
      Reply.of(501, "5.5.4", "Initial response not allowed for this mechanism");
  public static final Reply ALREADY_AUTHENTICATED = Reply.of(503, "5.5.1", "Already authenticated");
  public static final Reply AUTH_IN_TRANSACTION =
      Reply.of(503, "5.5.1", "AUTH not permitted during a mail transaction");
  public static final Reply AUTH_MECHANISM_UNKNOWN =
      Reply.of(504, "5.5.4", "Unrecognized authentication type");
  public static final Reply AUTH_ENCRYPTION_REQUIRED =
      Reply.of(538, "5.7.11", "Encryption required for requested authentication mechanism");
  public static final Reply AUTH_TEMPORARY_FAILURE =
      Reply.of(454, "4.7.0", "Temporary authentication failure");
  public static final Reply REQUIRETLS_NEEDS_TLS =
      Reply.of(530, "5.7.10", "REQUIRETLS needs a TLS session");
  public static final Reply TOO_MANY_MESSAGES =
      Reply.of(421, "4.7.0", "Too many messages in this session, closing");
  public static final Reply AUTH_ADDRESS_THROTTLED =
      Reply.of(454, "4.7.0", "Too many failed authentications from your address, try again later");
  public static final Reply TOO_MANY_AUTH_FAILURES =
      Reply.of(
          421, "4.7.0", "Too many failed authentication attempts, closing transmission channel");

  // ---------------------------------------------------------------- XCLIENT (Postfix)

  public static final Reply XCLIENT_NOT_AUTHORIZED =
      Reply.of(550, "5.7.0", "Insufficient authorization");
  public static final Reply XCLIENT_IN_TRANSACTION =
      Reply.of(503, "5.5.1", "MAIL transaction in progress");
  public static final Reply XCLIENT_SYNTAX =
      Reply.of(501, "5.5.4", "Syntax: XCLIENT attribute=value...");
  public static final Reply XCLIENT_BAD_ATTRIBUTE =
      Reply.of(501, "5.5.4", "Bad XCLIENT attribute name");
}
