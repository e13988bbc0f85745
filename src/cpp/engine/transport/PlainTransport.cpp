#define MP_LOG_SOURCE "PlainTransport"
#include "PlainTransport.hpp"

#include <openssl/rand.h>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../rtcp/RtcpCompoundParser.hpp"
#include "../rtp/RtpPacket.hpp"

namespace mediaplane {

namespace {

std::unique_ptr<UdpSocket> BindListenInfo(const WorkerContext& context, UdpSocket::Listener& listener,
                                          const ListenInfo& info) {
	if (info.protocol != TransportProtocol::Udp) throw RequestError::Type("listenInfo.protocol must be 'udp'");
	std::string error;
	auto socket = UdpSocket::Bind(context.loop, listener, info, &error);
	if (!socket) throw RequestError(RequestError::Kind::Error, error);
	return socket;
}

Value LocalTupleValue(const UdpSocket& socket, const ListenInfo& info) {
	Value tuple = Value::MakeObject();
	std::string address = info.announcedAddress.empty() ? socket.GetLocalIp() : info.announcedAddress;
	tuple.Set("localAddress", address);
	tuple.Set("localIp", address);
	tuple.Set("localPort", static_cast<uint32_t>(socket.GetLocalPort()));
	tuple.Set("protocol", "udp");
	return tuple;
}

} // namespace

PlainTransport::PlainTransport(const WorkerContext& context, std::string id, RouterHooks& router, const Value& options,
                               Kind kind)
    : Transport(context, std::move(id), router), kind_(kind) {
	ReadMessageSizes(options);
	const Value* listenInfo = options.Find("listenInfo");
	if (!listenInfo) throw RequestError::Type("missing listenInfo");
	listenInfo_ = ListenInfo::FromValue(*listenInfo, context_.rtcMinPort, context_.rtcMaxPort);
	rtcpMux_ = kind_ == Kind::Pipe ? true : options.OptionalBool("rtcpMux", true);
	comedia_ = kind_ == Kind::Pipe ? false : options.OptionalBool("comedia", false);
	enableSrtp_ = options.OptionalBool("enableSrtp", false);
	if (enableSrtp_) {
		std::string suiteName = options.OptionalString("srtpCryptoSuite", "AES_CM_128_HMAC_SHA1_80");
		auto suite = SrtpCryptoSuiteFromName(suiteName);
		if (!suite) throw RequestError::Type("invalid srtpCryptoSuite");
		CreateLocalSrtp(*suite);
	}
	socket_ = BindListenInfo(context_, *this, listenInfo_);
	if (!rtcpMux_) {
		const Value* rtcpInfo = options.Find("rtcpListenInfo");
		rtcpListenInfo_ = rtcpInfo && !rtcpInfo->IsNull()
		                      ? ListenInfo::FromValue(*rtcpInfo, context_.rtcMinPort, context_.rtcMaxPort)
		                      : listenInfo_;
		if (!rtcpInfo || rtcpInfo->IsNull()) rtcpListenInfo_->port = 0;
		rtcpSocket_ = BindListenInfo(context_, *this, *rtcpListenInfo_);
	}
	// SCTP goes straight over UDP here (no DTLS), as mediasoup does; a pipe carries
	// DataProducers between routers rather than browser data channels.
	CreateSctpAssociation(options, /*isDataChannel*/ false);
	context_.registry->Register(id_, this);
}

PlainTransport::~PlainTransport() {
	// Producers and consumers first, while RTCP (BYE-less close) can still be sent.
	CloseAll();
	context_.registry->Unregister(id_);
}

Value PlainTransport::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::TransportDump: return Dump();
		case Method::TransportGetStats: return GetStats();
		case Method::TransportConnect: return Connect(request.data);
		case Method::TransportLinkInProcess: return LinkInProcess(request.data);
		default: return HandleTransportRequest(request);
	}
}

Value PlainTransport::Connect(const Value& data) {
	if (connected_) throw RequestError(RequestError::Kind::Error, "connect() already called");
	if (enableSrtp_) {
		const Value* srtp = data.Find("srtpParameters");
		if (!srtp || !srtp->IsObject()) throw RequestError::Type("missing srtpParameters (enableSrtp is set)");
		auto suite = SrtpCryptoSuiteFromName(srtp->RequireString("cryptoSuite"));
		if (!suite) throw RequestError::Type("invalid srtpParameters.cryptoSuite");
		const Value* key = srtp->Find("key");
		if (!key || !key->IsBytes() || key->AsBytes().size() != SrtpMasterKeyLength(*suite)) {
			throw RequestError::Type("invalid srtpParameters.keyBase64 length for the crypto suite");
		}
		std::string error;
		auto recv = SrtpSession::Create(SrtpSession::Direction::Inbound, *suite, key->AsBytes().data(),
		                                key->AsBytes().size(), &error);
		if (!recv) throw RequestError(RequestError::Kind::Error, "SRTP: " + error);
		// Both directions use the suite the remote chose (as mediasoup): a new local
		// key for it when it differs from ours; connect()'s answer tells the new one.
		if (*suite != srtpSuite_) CreateLocalSrtp(*suite);
		srtpRecv_ = std::move(recv);
	}
	if (!comedia_) {
		const std::string& ip = data.RequireString("ip");
		uint32_t port = data.RequireUint32("port");
		if (port == 0 || port > 65535) throw RequestError::Type("invalid port");
		TransportTuple tuple;
		tuple.protocol = TransportProtocol::Udp;
		tuple.localAddress = socket_->GetLocalAddress();
		if (!ParseIpAddress(ip, static_cast<uint16_t>(port), &tuple.remoteAddress)) throw RequestError::Type("invalid ip");
		tuple.sender = socket_.get();
		tuple_ = tuple;
		if (!rtcpMux_) {
			uint32_t rtcpPort = data.OptionalUint32("rtcpPort", 0);
			if (rtcpPort == 0 || rtcpPort > 65535) throw RequestError::Type("missing rtcpPort (rtcpMux is off)");
			TransportTuple rtcp;
			rtcp.protocol = TransportProtocol::Udp;
			rtcp.localAddress = rtcpSocket_->GetLocalAddress();
			ParseIpAddress(ip, static_cast<uint16_t>(rtcpPort), &rtcp.remoteAddress);
			rtcp.sender = rtcpSocket_.get();
			rtcpTuple_ = rtcp;
		}
	}
	connected_ = true;
	ConnectSockets();
	if (link_) link_->StartReceiving();
	if (CanSendMedia()) NotifyReady();
	if (tuple_) StartSctp();
	Value result = Value::MakeObject();
	if (tuple_) result.Set("tuple", tuple_->ToValue(listenInfo_.announcedAddress));
	if (rtcpTuple_) result.Set("rtcpTuple", rtcpTuple_->ToValue(rtcpListenInfo_ ? rtcpListenInfo_->announcedAddress : ""));
	if (enableSrtp_) result.Set("srtpParameters", SrtpParametersValue());
	return result;
}

Value PlainTransport::LinkInProcess(const Value& data) {
	if (kind_ != Kind::Pipe) throw RequestError::Type("only a PipeTransport can be linked in-process");
	if (connected_) throw RequestError(RequestError::Kind::Error, "an in-process link must be made before connect()");
	if (link_) throw RequestError(RequestError::Kind::Error, "already linked in-process");
	const std::string& linkId = data.RequireString("linkId");
	uint32_t side = data.RequireUint32("side");
	std::string error;
	link_ = InProcessPipeLink::End::Attach(
	    context_.loop, linkId, static_cast<int>(side), *socket_,
	    [this](uint8_t* bytes, size_t len) {
		    // Delivered only once connected (StartReceiving), so tuple_ is set; the tuple
		    // stands for the peer as a datagram from its socket would.
		    if (tuple_) OnUdpPacket(*socket_, bytes, len, *tuple_);
	    },
	    &error);
	if (!link_) throw RequestError::Type(error);
	return Value();
}

void PlainTransport::SendToPeer(const TransportTuple& tuple, const uint8_t* data, size_t len) {
	if (link_ && &tuple == &*tuple_) link_->SendPacket(data, len, nullptr);
	else tuple.Send(data, len);
}

void PlainTransport::CreateLocalSrtp(SrtpCryptoSuite suite) {
	std::vector<uint8_t> key(SrtpMasterKeyLength(suite));
	if (RAND_bytes(key.data(), static_cast<int>(key.size())) != 1) {
		throw RequestError(RequestError::Kind::Error, "cannot generate SRTP keys");
	}
	std::string error;
	auto send = SrtpSession::Create(SrtpSession::Direction::Outbound, suite, key.data(), key.size(), &error);
	if (!send) throw RequestError(RequestError::Kind::Error, "SRTP: " + error);
	srtpSuite_ = suite;
	localSrtpKey_ = std::move(key);
	srtpSend_ = std::move(send);
}

void PlainTransport::LearnTuple(std::optional<TransportTuple>& slot, const TransportTuple& tuple, const char* event,
                                const char* field) {
	slot = tuple;
	Value data = Value::MakeObject();
	data.Set(field, tuple.ToValue(&slot == &rtcpTuple_ && rtcpListenInfo_ ? rtcpListenInfo_->announcedAddress
	                                                                       : listenInfo_.announcedAddress));
	context_.Emit(id_, event, std::move(data));
}

void PlainTransport::OnUdpPacket(UdpSocket& socket, uint8_t* data, size_t len, const TransportTuple& tuple) {
	const uint64_t now = context_.NowMs();
	recvRate_.Update(len, now);
	// RTP and RTCP start with version 2 (0b10xxxxxx); SCTP with its source port.
	const bool isSctp = HasSctp() && (data[0] >> 6) != 2 && sctp::Association::LooksLikeSctp(data, len);
	const bool isRtcp = !isSctp && RtcpCompoundParser::IsRtcp(data, len);
	const bool isRtp = !isSctp && !isRtcp && RtpPacket::LooksLikeRtp(data, len);
	if (!isRtp && !isRtcp && !isSctp) {
		++droppedPackets_;
		return;
	}
	const bool onRtcpSocket = rtcpSocket_ && &socket == rtcpSocket_.get();
	std::optional<TransportTuple>& slot = onRtcpSocket ? rtcpTuple_ : tuple_;
	if (!slot) {
		// comedia (RFC 4145 "connection-oriented media"): the peer's first packet tells
		// us where it is; without comedia nothing is accepted before connect().
		if (!comedia_) {
			++droppedPackets_;
			return;
		}
		LearnTuple(slot, tuple, onRtcpSocket ? "rtcptuple" : "tuple", onRtcpSocket ? "rtcpTuple" : "tuple");
		ConnectSockets();
		if (!onRtcpSocket && CanSendMedia()) NotifyReady();
		if (!onRtcpSocket) StartSctp();
	} else if (!slot->SameAs(tuple)) {
		// Only the signalled (or learned) peer may send.
		++droppedPackets_;
		return;
	}
	if (isSctp) {
		if (onRtcpSocket) {
			++droppedPackets_;
			return;
		}
		HandleIncomingSctp(data, len);
		return;
	}
	size_t plainLength = len;
	if (isRtcp) {
		if (enableSrtp_ && (!srtpRecv_ || !srtpRecv_->UnprotectRtcp(data, &plainLength))) {
			++droppedPackets_;
			return;
		}
		HandleIncomingRtcp(data, plainLength);
		return;
	}
	if (enableSrtp_ && (!srtpRecv_ || !srtpRecv_->UnprotectRtp(data, &plainLength))) {
		++droppedPackets_;
		return;
	}
	HandleIncomingRtp(data, plainLength);
}

void PlainTransport::ConnectSockets() {
	// One peer per socket: connect(2) it, so sends skip the per-packet route lookup
	// (measured: ~5% of the forwarding cost) and the kernel filters other senders.
	if (tuple_) socket_->ConnectTo(reinterpret_cast<const sockaddr*>(&tuple_->remoteAddress));
	if (rtcpSocket_ && rtcpTuple_) rtcpSocket_->ConnectTo(reinterpret_cast<const sockaddr*>(&rtcpTuple_->remoteAddress));
}

bool PlainTransport::CanSendMedia() const { return tuple_.has_value() && (!enableSrtp_ || srtpSend_); }

void PlainTransport::SendRtp(uint8_t* data, size_t len, size_t capacity) {
	if (!tuple_) return;
	size_t outLength = len;
	if (enableSrtp_ && !srtpSend_->ProtectRtp(data, &outLength, capacity)) return;
	sendRate_.Update(outLength, context_.NowMs());
	SendToPeer(*tuple_, data, outLength);
}

void PlainTransport::SendRtcp(uint8_t* data, size_t len, size_t capacity) {
	const TransportTuple* tuple = rtcpMux_ ? (tuple_ ? &*tuple_ : nullptr) : (rtcpTuple_ ? &*rtcpTuple_ : nullptr);
	if (!tuple) return;
	size_t outLength = len;
	if (enableSrtp_ && !srtpSend_->ProtectRtcp(data, &outLength, capacity)) return;
	sendRate_.Update(outLength, context_.NowMs());
	SendToPeer(*tuple, data, outLength);
}

void PlainTransport::SendSctpPacket(const uint8_t* data, size_t len) {
	if (!tuple_) return;
	sendRate_.Update(len, context_.NowMs());
	SendToPeer(*tuple_, data, len);
}

Value PlainTransport::SrtpParametersValue() const {
	Value srtp = Value::MakeObject();
	srtp.Set("cryptoSuite", SrtpCryptoSuiteName(srtpSuite_));
	srtp.Set("key", Value::Bytes(localSrtpKey_));
	return srtp;
}

Value PlainTransport::Dump() const {
	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("direct", false);
	AddRtpDump(dump);
	dump.Set("rtcpMux", rtcpMux_);
	dump.Set("comedia", comedia_);
	Value tuple = tuple_ ? tuple_->ToValue(listenInfo_.announcedAddress) : LocalTupleValue(*socket_, listenInfo_);
	dump.Set("tuple", std::move(tuple));
	if (rtcpSocket_) {
		dump.Set("rtcpTuple", rtcpTuple_ ? rtcpTuple_->ToValue(rtcpListenInfo_->announcedAddress)
		                                 : LocalTupleValue(*rtcpSocket_, *rtcpListenInfo_));
	}
	if (enableSrtp_) dump.Set("srtpParameters", SrtpParametersValue());
	dump.Set("droppedPackets", droppedPackets_ + rtpPacketsDropped_ + rtcpPacketsDropped_);
	return dump;
}

Value PlainTransport::GetStats() {
	const uint64_t now = context_.NowMs();
	Value stats = Value::MakeObject();
	stats.Set("type", kind_ == Kind::Pipe ? "pipe-transport" : "plain-rtp-transport");
	stats.Set("transportId", id_);
	stats.Set("timestamp", static_cast<uint64_t>(uv_hrtime() / 1000000));
	if (HasSctp()) stats.Set("sctpState", SctpStateName());
	AddTrafficStats(stats, now);
	AddBitrateLimitStats(stats);
	// mediasoup's pipe stats leave these two out; a pipe is always rtcpMux, never comedia.
	stats.Set("rtcpMux", rtcpMux_);
	stats.Set("comedia", comedia_);
	stats.Set("tuple", tuple_ ? tuple_->ToValue(listenInfo_.announcedAddress) : LocalTupleValue(*socket_, listenInfo_));
	if (rtcpSocket_) {
		stats.Set("rtcpTuple", rtcpTuple_ ? rtcpTuple_->ToValue(rtcpListenInfo_->announcedAddress)
		                                  : LocalTupleValue(*rtcpSocket_, *rtcpListenInfo_));
	}
	stats.Set("droppedPackets", droppedPackets_ + rtpPacketsDropped_ + rtcpPacketsDropped_);
	return Value::MakeArray().Push(std::move(stats));
}

void PlainTransport::OnInboundSsrcUnrouted(uint32_t ssrc) {
	if (srtpRecv_) srtpRecv_->ForgetSsrc(ssrc);
}

} // namespace mediaplane
