#define MP_LOG_SOURCE "WebRtcTransport"
#include "WebRtcTransport.hpp"

#include <cstring>

#include "../common/Logger.hpp"
#include "../common/RequestError.hpp"
#include "../dtls/DtlsCertificate.hpp"
#include "../ice/StunMessage.hpp"
#include "WebRtcServer.hpp"

namespace mediaplane {

namespace {

// RFC 7983 §7: the first byte tells the protocol; 128..191 is RTP/RTCP.
bool LooksLikeRtpOrRtcp(const uint8_t* data, size_t len) {
	return len >= 12 && data[0] >= 128 && data[0] <= 191;
}

// RFC 5761 §4: with RTP and RTCP muxed, RTCP packet types occupy 192..223 of the
// second byte (which for RTP holds the marker bit and payload type).
bool IsRtcp(const uint8_t* data, size_t len) { return len >= 8 && data[1] >= 192 && data[1] <= 223; }

// The strongest fingerprint algorithm the peer signalled (RFC 8122 §5 lets it send
// several; we check one).
bool PickFingerprint(const Value::Array& fingerprints, DtlsFingerprint* chosen) {
	static const char* const kPreference[] = { "sha-512", "sha-384", "sha-256", "sha-224", "sha-1" };
	for (const char* algorithm : kPreference) {
		for (const auto& entry : fingerprints) {
			if (!entry.IsObject()) continue;
			const Value* name = entry.Find("algorithm");
			const Value* value = entry.Find("value");
			if (name && value && name->IsString() && value->IsString() && name->AsString() == algorithm) {
				chosen->algorithm = algorithm;
				chosen->value = value->AsString();
				return true;
			}
		}
	}
	return false;
}

} // namespace

WebRtcTransport::WebRtcTransport(const WorkerContext& context, std::string id, RouterHooks& router,
                                 const Value& options)
    : Transport(context, std::move(id), router) {
	ReadMessageSizes(options);
	iceConsentTimeoutSeconds_ = options.OptionalUint32("iceConsentTimeout", 30);
	initialAvailableOutgoingBitrate_ = options.OptionalUint32("initialAvailableOutgoingBitrate", 600000);
	CreateSctpAssociation(options, /*isDataChannel*/ true);
	// The browser sends transport-cc feedback (or REMB) about what we send it.
	EnableSendSideBwe(initialAvailableOutgoingBitrate_);

	ice_ = std::make_unique<IceServer>(*this, IceServer::GenerateUsernameFragment(), IceServer::GeneratePassword(),
	                                   iceConsentTimeoutSeconds_ * 1000);
	dtls_ = std::make_unique<DtlsTransport>(*this, context_.GetCertificate());
	timer_ = std::make_unique<Timer>(context_.loop, [this]() { OnTimer(); });

	std::string serverId = options.OptionalString("webRtcServerId", "");
	if (!serverId.empty()) {
		WebRtcServer* server = context_.findWebRtcServer ? context_.findWebRtcServer(serverId) : nullptr;
		if (!server) throw RequestError::NotFound("WebRtcServer \"" + serverId + "\" not found");
		iceCandidates_ = server->GetIceCandidates(options.OptionalBool("enableUdp", true),
		                                          options.OptionalBool("enableTcp", true),
		                                          options.OptionalBool("preferUdp", false),
		                                          options.OptionalBool("preferTcp", false));
		if (iceCandidates_.empty()) throw RequestError::Type("the WebRtcServer has no listen info of the enabled protocols");
		webRtcServer_ = server;
	} else {
		BindListenInfos(options);
	}

	// Last: nothing below can throw, so a failed constructor leaves no registration.
	context_.registry->Register(id_, this);
	if (webRtcServer_) webRtcServer_->RegisterTransport(this);
	MP_DEBUG_TAG(Ice, "transport %s created [ufrag:%s]", id_.c_str(), GetUsernameFragment().c_str());
}

WebRtcTransport::~WebRtcTransport() {
	// Producers and consumers first, while RTCP can still be sent.
	CloseAll();
	// close_notify while the sockets still exist (RFC 5246 §7.2.1).
	if (dtls_) dtls_->Close();
	if (webRtcServer_) webRtcServer_->UnregisterTransport(this);
	context_.registry->Unregister(id_);
}

void WebRtcTransport::BindListenInfos(const Value& options) {
	const Value::Array& infos = options.RequireArray("listenInfos");
	if (infos.empty()) throw RequestError::Type("empty listenInfos");
	// As mediasoup: with listen infos of its own, a transport ranks its candidates in
	// their order (preferUdp/preferTcp only order the older listenIps, in TypeScript).
	size_t index = 0;
	for (const Value& infoValue : infos) {
		ListenInfo info = ListenInfo::FromValue(infoValue, context_.rtcMinPort, context_.rtcMaxPort);
		std::string error;
		uint16_t port = 0;
		if (info.protocol == TransportProtocol::Udp) {
			auto socket = UdpSocket::Bind(context_.loop, *this, info, &error);
			if (!socket) throw RequestError(RequestError::Kind::Error, error);
			port = socket->GetLocalPort();
			udpSockets_.push_back(std::move(socket));
		} else {
			auto server = TcpServer::Listen(context_.loop, *this, info, &error);
			if (!server) throw RequestError(RequestError::Kind::Error, error);
			port = server->GetLocalPort();
			tcpServers_.push_back(std::move(server));
		}
		IceCandidate::AppendForListenInfo(iceCandidates_, info, port, IceCandidate::LocalPreferenceAt(index++, false));
		listenInfos_.push_back(std::move(info));
	}
}

Value WebRtcTransport::HandleRequest(const ChannelRequest& request) {
	switch (request.method) {
		case Method::TransportDump: return Dump();
		case Method::TransportGetStats: return GetStats();
		case Method::TransportConnect: return Connect(request.data);
		case Method::TransportRestartIce: return RestartIce();
		default: return HandleTransportRequest(request);
	}
}

Value WebRtcTransport::Connect(const Value& data) {
	if (connectCalled_) throw RequestError(RequestError::Kind::Error, "connect() already called");
	const Value* dtlsParameters = data.Find("dtlsParameters");
	if (!dtlsParameters || !dtlsParameters->IsObject()) throw RequestError::Type("missing dtlsParameters");
	std::string remoteRole = dtlsParameters->OptionalString("role", "auto");
	// The peer's role decides ours. For 'auto' we take the role RFC 5763 §5 recommends
	// for an answerer: active, that is DTLS client.
	if (remoteRole == "client") localDtlsRole_ = DtlsRole::Server;
	else if (remoteRole == "server" || remoteRole == "auto") localDtlsRole_ = DtlsRole::Client;
	else throw RequestError::Type("invalid dtlsParameters.role");
	if (!PickFingerprint(dtlsParameters->RequireArray("fingerprints"), &remoteFingerprint_)) {
		throw RequestError::Type("no supported fingerprint in dtlsParameters.fingerprints");
	}
	connectCalled_ = true;
	MaybeRunDtls();
	Value result = Value::MakeObject();
	result.Set("dtlsLocalRole", DtlsRoleName(localDtlsRole_));
	return result;
}

Value WebRtcTransport::RestartIce() {
	std::string oldUsernameFragment = ice_->GetUsernameFragment();
	ice_->RestartIce(IceServer::GenerateUsernameFragment(), IceServer::GeneratePassword());
	if (webRtcServer_) webRtcServer_->UpdateUsernameFragment(oldUsernameFragment, this);
	Value parameters = Value::MakeObject();
	parameters.Set("usernameFragment", ice_->GetUsernameFragment());
	parameters.Set("password", ice_->GetPassword());
	parameters.Set("iceLite", true);
	Value result = Value::MakeObject();
	result.Set("iceParameters", std::move(parameters));
	return result;
}

void WebRtcTransport::MaybeRunDtls() {
	if (!connectCalled_ || dtls_->GetState() != DtlsState::New) return;
	IceState iceState = ice_->GetState();
	if (iceState != IceState::Connected && iceState != IceState::Completed) return;
	dtls_->Run(localDtlsRole_, remoteFingerprint_, context_.NowMs());
	auto early = std::move(earlyDtlsRecords_);
	earlyDtlsRecords_.clear();
	for (auto& record : early) dtls_->ProcessDtlsData(record.data(), record.size(), context_.NowMs());
	ScheduleTimer();
}

void WebRtcTransport::ScheduleTimer() {
	uint64_t now = context_.NowMs();
	uint64_t next = std::min(ice_->NextTimeoutMs(now), dtls_->NextTimeoutMs(now));
	if (next == UINT64_MAX) {
		timer_->Stop();
		return;
	}
	timer_->Start(next > now ? next - now : 0);
}

void WebRtcTransport::OnTimer() {
	uint64_t now = context_.NowMs();
	ice_->OnTimer(now);
	dtls_->OnTimer(now);
	ScheduleTimer();
}

void WebRtcTransport::OnUdpPacket(UdpSocket& /*socket*/, uint8_t* data, size_t len, const TransportTuple& tuple) {
	ReceivePacket(data, len, tuple);
}

void WebRtcTransport::OnTcpServerFrame(TcpServer& /*server*/, TcpConnection& connection, uint8_t* data,
                                       size_t len) {
	ReceivePacket(data, len, connection.GetTuple());
}

bool WebRtcTransport::IsTcpConnectionInUse(TcpServer& /*server*/, const TcpConnection& connection) {
	return ice_->IsValidTuple(connection.GetTuple());
}

void WebRtcTransport::OnTcpServerConnectionClosed(TcpServer& /*server*/, TcpConnection& connection) {
	OnTupleClosed(connection.GetTuple());
}

void WebRtcTransport::OnTupleClosed(const TransportTuple& tuple) { ice_->RemoveTuple(tuple); }

void WebRtcTransport::OnWebRtcServerClosed() {
	// The TypeScript layer closes this transport ('listenserverclose'); until then it
	// has no sockets and receives nothing.
	webRtcServer_ = nullptr;
}

void WebRtcTransport::ReceivePacket(uint8_t* data, size_t len, const TransportTuple& tuple) {
	uint64_t now = context_.NowMs();
	recvRate_.Update(len, now);

	if (StunMessage::LooksLikeStun(data, len)) {
		ice_->ProcessStunPacket(data, len, tuple, now);
		ScheduleTimer();
		return;
	}
	// Everything else only from a path ICE has validated (RFC 8445 §7.3, and so that
	// DTLS and SRTP cannot be spoken to from an arbitrary address).
	if (!ice_->IsValidTuple(tuple)) {
		++droppedPackets_;
		return;
	}
	if (DtlsTransport::LooksLikeDtls(data, len)) {
		if (dtls_->GetState() == DtlsState::New) {
			// Before connect(): keep a few records (the peer's first flight) to replay.
			if (earlyDtlsRecords_.size() < 8) earlyDtlsRecords_.emplace_back(data, data + len);
			else ++droppedPackets_;
			return;
		}
		dtls_->ProcessDtlsData(data, len, now);
		ScheduleTimer();
		return;
	}
	if (LooksLikeRtpOrRtcp(data, len)) {
		HandleRtpOrRtcp(data, len);
		return;
	}
	++droppedPackets_;
}

void WebRtcTransport::HandleRtpOrRtcp(uint8_t* data, size_t len) {
	if (!srtpRecv_) {
		++droppedPackets_;
		return;
	}
	// ICE-TCP frames sit at any offset of the connection's buffer (RFC 4571 puts a
	// 2-byte length before each); libsrtp reads its headers through struct pointers, so
	// give it an aligned copy. UDP datagrams arrive aligned and skip this.
	if (reinterpret_cast<uintptr_t>(data) % alignof(uint32_t) != 0) {
		alignas(16) static thread_local uint8_t aligned[65536];
		if (len > sizeof(aligned)) {
			++droppedPackets_;
			return;
		}
		std::memcpy(aligned, data, len);
		data = aligned;
	}
	size_t plainLength = len;
	if (IsRtcp(data, len)) {
		if (!srtpRecv_->UnprotectRtcp(data, &plainLength)) {
			++droppedPackets_;
			return;
		}
		++rtcpPacketsReceived_;
		HandleIncomingRtcp(data, plainLength);
		return;
	}
	if (!srtpRecv_->UnprotectRtp(data, &plainLength)) {
		++droppedPackets_;
		return;
	}
	++rtpPacketsReceived_;
	HandleIncomingRtp(data, plainLength);
}

void WebRtcTransport::SendRtp(uint8_t* data, size_t len, size_t capacity) {
	if (!srtpSend_) return;
	size_t protectedLength = len;
	if (!srtpSend_->ProtectRtp(data, &protectedLength, capacity)) return;
	SendToPeer(data, protectedLength);
}

void WebRtcTransport::SendRtcp(uint8_t* data, size_t len, size_t capacity) {
	if (!srtpSend_) return;
	size_t protectedLength = len;
	if (!srtpSend_->ProtectRtcp(data, &protectedLength, capacity)) return;
	SendToPeer(data, protectedLength);
}

void WebRtcTransport::SendToPeer(const uint8_t* data, size_t len) {
	const TransportTuple* tuple = ice_->GetSelectedTuple();
	if (!tuple) return;
	tuple->Send(data, len);
	sendRate_.Update(len, context_.NowMs());
}

std::string WebRtcTransport::AnnouncedAddressFor(const TransportTuple& tuple) const {
	if (webRtcServer_) return webRtcServer_->AnnouncedAddressFor(tuple);
	uint16_t port = AddressPort(reinterpret_cast<const sockaddr*>(&tuple.localAddress));
	for (size_t i = 0; i < iceCandidates_.size() && i < listenInfos_.size(); ++i) {
		if (iceCandidates_[i].port == port && iceCandidates_[i].protocol == tuple.protocol) {
			return listenInfos_[i].announcedAddress;
		}
	}
	return "";
}

void WebRtcTransport::OnIceServerSendStunPacket(const uint8_t* data, size_t len, const TransportTuple& tuple) {
	tuple.Send(data, len);
	sendRate_.Update(len, context_.NowMs());
}

void WebRtcTransport::OnIceServerTupleAdded(const TransportTuple& tuple) {
	if (webRtcServer_) webRtcServer_->AddTuple(tuple, this);
}

void WebRtcTransport::OnIceServerTupleRemoved(const TransportTuple& tuple) {
	if (webRtcServer_) webRtcServer_->RemoveTuple(tuple, this);
}

void WebRtcTransport::OnIceServerSelectedTuple(const TransportTuple& tuple) {
	Value data = Value::MakeObject();
	data.Set("iceSelectedTuple", tuple.ToValue(AnnouncedAddressFor(tuple)));
	Emit("iceselectedtuplechange", std::move(data));
}

void WebRtcTransport::OnIceServerStateChange(IceState state) {
	MP_DEBUG_TAG(Ice, "transport %s ICE state %s", id_.c_str(), IceStateName(state));
	Value data = Value::MakeObject();
	data.Set("iceState", IceStateName(state));
	Emit("icestatechange", std::move(data));
	MaybeRunDtls();
}

void WebRtcTransport::OnDtlsSendData(const uint8_t* data, size_t len) { SendToPeer(data, len); }

void WebRtcTransport::OnDtlsStateChange(DtlsState state) {
	MP_DEBUG_TAG(Dtls, "transport %s DTLS state %s", id_.c_str(), DtlsStateName(state));
	if (state == DtlsState::Failed || state == DtlsState::Closed) {
		srtpSend_.reset();
		srtpRecv_.reset();
		CloseSctp(/*notify*/ true);
	}
	Value data = Value::MakeObject();
	data.Set("dtlsState", DtlsStateName(state));
	if (state == DtlsState::Connected && !dtlsRemoteCert_.empty()) data.Set("dtlsRemoteCert", dtlsRemoteCert_);
	Emit("dtlsstatechange", std::move(data));
	// RFC 8261 §6: SCTP runs over the DTLS association once it is up.
	if (state == DtlsState::Connected) StartSctp();
}

void WebRtcTransport::OnDtlsApplicationData(const uint8_t* data, size_t len) { HandleIncomingSctp(data, len); }

void WebRtcTransport::SendSctpPacket(const uint8_t* data, size_t len) {
	if (dtls_->GetState() == DtlsState::Connected) dtls_->SendApplicationData(data, len);
}

void WebRtcTransport::OnDtlsRemoteCertificate(const std::string& pem) { dtlsRemoteCert_ = pem; }

void WebRtcTransport::OnDtlsSrtpKeys(SrtpCryptoSuite suite, const std::vector<uint8_t>& localSendKey,
                                     const std::vector<uint8_t>& remoteSendKey) {
	std::string error;
	srtpSend_ = SrtpSession::Create(SrtpSession::Direction::Outbound, suite, localSendKey.data(),
	                                localSendKey.size(), &error);
	srtpRecv_ = SrtpSession::Create(SrtpSession::Direction::Inbound, suite, remoteSendKey.data(),
	                                remoteSendKey.size(), &error);
	if (!srtpSend_ || !srtpRecv_) {
		MP_ERROR("transport %s: cannot create SRTP sessions: %s", id_.c_str(), error.c_str());
		srtpSend_.reset();
		srtpRecv_.reset();
		return;
	}
	MP_DEBUG_TAG(Srtp, "transport %s SRTP ready [suite:%s]", id_.c_str(), SrtpCryptoSuiteName(suite));
	NotifyReady();
}

Value WebRtcTransport::Dump() const {
	Value iceParameters = Value::MakeObject();
	iceParameters.Set("usernameFragment", ice_->GetUsernameFragment());
	iceParameters.Set("password", ice_->GetPassword());
	iceParameters.Set("iceLite", true);

	Value candidates = Value::MakeArray();
	for (const auto& candidate : iceCandidates_) candidates.Push(candidate.ToValue());

	Value fingerprints = Value::MakeArray();
	for (const auto& fingerprint : context_.GetCertificate()->GetFingerprints()) {
		Value entry = Value::MakeObject();
		entry.Set("algorithm", fingerprint.algorithm);
		entry.Set("value", fingerprint.value);
		fingerprints.Push(std::move(entry));
	}
	Value dtlsParameters = Value::MakeObject();
	dtlsParameters.Set("role", DtlsRoleName(connectCalled_ ? localDtlsRole_ : DtlsRole::Auto));
	dtlsParameters.Set("fingerprints", std::move(fingerprints));

	Value dump = Value::MakeObject();
	dump.Set("id", id_);
	dump.Set("direct", false);
	AddRtpDump(dump);
	dump.Set("iceRole", "controlled");
	dump.Set("iceParameters", std::move(iceParameters));
	dump.Set("iceCandidates", std::move(candidates));
	dump.Set("iceState", IceStateName(ice_->GetState()));
	if (const TransportTuple* tuple = ice_->GetSelectedTuple()) {
		dump.Set("iceSelectedTuple", tuple->ToValue(AnnouncedAddressFor(*tuple)));
	}
	dump.Set("dtlsParameters", std::move(dtlsParameters));
	dump.Set("dtlsState", DtlsStateName(dtls_->GetState()));
	if (!dtlsRemoteCert_.empty()) dump.Set("dtlsRemoteCert", dtlsRemoteCert_);
	dump.Set("webRtcServerId", webRtcServer_ ? Value(webRtcServer_->GetId()) : Value());
	dump.Set("droppedPackets", droppedPackets_ + ice_->GetDroppedPackets() + dtls_->GetDroppedRecords() +
	                               rtpPacketsDropped_ + rtcpPacketsDropped_);
	return dump;
}

Value WebRtcTransport::GetStats() {
	uint64_t now = context_.NowMs();
	Value stats = Value::MakeObject();
	stats.Set("type", "webrtc-transport");
	stats.Set("transportId", id_);
	stats.Set("timestamp", static_cast<uint64_t>(uv_hrtime() / 1000000));
	if (HasSctp()) stats.Set("sctpState", SctpStateName());
	AddTrafficStats(stats, now);
	// availableIncomingBitrate stays absent: no receive-side estimator runs (we send
	// transport-cc feedback and the endpoint estimates).
	AddBitrateLimitStats(stats);
	stats.Set("iceRole", "controlled");
	stats.Set("iceState", IceStateName(ice_->GetState()));
	if (const TransportTuple* tuple = ice_->GetSelectedTuple()) {
		stats.Set("iceSelectedTuple", tuple->ToValue(AnnouncedAddressFor(*tuple)));
	}
	stats.Set("dtlsState", DtlsStateName(dtls_->GetState()));
	// Beyond mediasoup's fields: what the engine received and discarded.
	stats.Set("rtpPacketsReceived", rtpPacketsReceived_);
	stats.Set("rtcpPacketsReceived", rtcpPacketsReceived_);
	stats.Set("droppedPackets", droppedPackets_ + ice_->GetDroppedPackets() + dtls_->GetDroppedRecords() +
	                                rtpPacketsDropped_ + rtcpPacketsDropped_);
	Value list = Value::MakeArray();
	list.Push(std::move(stats));
	return list;
}

void WebRtcTransport::OnInboundSsrcUnrouted(uint32_t ssrc) {
	if (srtpRecv_) srtpRecv_->ForgetSsrc(ssrc);
}

} // namespace mediaplane
