#pragma once
// What every transport kind shares: its producers and consumers, the RTP and RTCP that
// flow through them, and the requests that create and close them. A subclass
// (WebRtcTransport; PlainTransport and PipeTransport later) owns the network side: it
// hands decrypted RTP/RTCP to HandleIncomingRtp/HandleIncomingRtcp and implements
// SendRtp/SendRtcp (encrypt and send).

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "../bwe/PacingBudget.hpp"
#include "../bwe/SendSideEstimator.hpp"
#include "../common/RateCalculator.hpp"
#include "../data/DataConsumer.hpp"
#include "../data/DataProducer.hpp"
#include "../sctp/SctpAssociation.hpp"
#include "../common/Timer.hpp"
#include "../rtc/Consumer.hpp"
#include "../rtcp/ReportBlock.hpp"
#include "PacketPacer.hpp"
#include "RetransmissionLedger.hpp"
#include "TransportCcReceiver.hpp"
#include "../rtc/Producer.hpp"
#include "../worker/RequestHandler.hpp"
#include "../worker/WorkerContext.hpp"

namespace mediaplane {

class Transport : public RequestHandler,
                  public Producer::Listener,
                  public Consumer::Listener,
                  public DataProducer::Listener,
                  public DataConsumer::Listener,
                  public sctp::Association::Listener {
public:
	// The router's side: routing between producers and consumers across transports.
	class RouterHooks {
	public:
		virtual ~RouterHooks() = default;
		virtual void OnTransportNewProducer(Transport& transport, Producer& producer) = 0;
		// Called before the producer is destroyed; the router closes its consumers.
		virtual void OnTransportProducerClosing(Transport& transport, Producer& producer) = 0;
		virtual void OnTransportProducerPaused(Producer& producer) = 0;
		virtual void OnTransportProducerResumed(Producer& producer) = 0;
		virtual void OnTransportProducerScore(Producer& producer) = 0;
		virtual void OnTransportProducerRtpPacket(Producer& producer, RtpPacket& packet, const ProducerPacketInfo& info) = 0;
		virtual Producer* FindProducer(const std::string& producerId) = 0;
		virtual void OnTransportNewConsumer(Transport& transport, Consumer& consumer, Producer& producer) = 0;
		// Called before the consumer is destroyed.
		virtual void OnTransportConsumerClosing(Transport& transport, Consumer& consumer) = 0;
		virtual void OnTransportConsumerKeyFrameRequested(Consumer& consumer, uint32_t mappedSsrc) = 0;
		// Data channels (see TransportData.cpp).
		virtual void OnTransportNewDataProducer(Transport& transport, DataProducer& producer) = 0;
		// Called before the data producer is destroyed; the router closes its consumers.
		virtual void OnTransportDataProducerClosing(Transport& transport, DataProducer& producer) = 0;
		virtual void OnTransportDataProducerPaused(DataProducer& producer) = 0;
		virtual void OnTransportDataProducerResumed(DataProducer& producer) = 0;
		virtual void OnTransportDataProducerMessage(DataProducer& producer, const DataMessage& message) = 0;
		virtual DataProducer* FindDataProducer(const std::string& dataProducerId) = 0;
		virtual void OnTransportNewDataConsumer(Transport& transport, DataConsumer& consumer, DataProducer& producer) = 0;
		// Called before the data consumer is destroyed.
		virtual void OnTransportDataConsumerClosing(Transport& transport, DataConsumer& consumer) = 0;
	};

	Transport(const WorkerContext& context, std::string id, RouterHooks& router);
	~Transport() override;

	Transport(const Transport&) = delete;
	Transport& operator=(const Transport&) = delete;

	const std::string& GetId() const { return id_; }

	// For the router: destroys a consumer whose producer closed (already notified).
	void RemoveConsumerForClosedProducer(Consumer& consumer);
	// For the router: destroys a data consumer whose data producer closed (after
	// DataConsumer::DataProducerClosed()).
	void RemoveDataConsumerForClosedDataProducer(DataConsumer& consumer);

	// DataProducer::Listener
	void OnDataProducerMessage(DataProducer& producer, const DataMessage& message) override;
	void OnDataProducerPaused(DataProducer& producer) override;
	void OnDataProducerResumed(DataProducer& producer) override;
	// DataConsumer::Listener (virtual: a DirectTransport emits 'message' events instead)
	DataConsumer::SendOutcome OnDataConsumerSendMessage(DataConsumer& consumer, uint32_t ppid, const uint8_t* data,
	                                                    size_t len) override;
	size_t OnDataConsumerBufferedAmount(const DataConsumer& consumer) override;
	void OnDataConsumerSetBufferedAmountLowThreshold(DataConsumer& consumer, size_t threshold) override;
	bool IsDataTransportReady() const override;
	// sctp::Association::Listener
	void OnSctpSendPacket(const uint8_t* data, size_t len) override;
	void OnSctpStateChange(sctp::State state) override;
	void OnSctpMessage(uint16_t streamId, uint32_t ppid, const uint8_t* data, size_t len) override;
	void OnSctpIncomingStreamsReset(const std::vector<uint16_t>& streamIds) override;
	void OnSctpBufferedAmountLow(uint16_t streamId, size_t bufferedAmount) override;

	// Producer::Listener
	void OnProducerRtpPacket(Producer& producer, RtpPacket& packet, const ProducerPacketInfo& info) override;
	void OnProducerPaused(Producer& producer) override;
	void OnProducerResumed(Producer& producer) override;
	void OnProducerScore(Producer& producer) override;
	void OnProducerSendPli(Producer& producer, uint32_t mediaSsrc) override;
	void OnProducerSendFir(Producer& producer, uint32_t mediaSsrc, uint8_t sequence) override;
	void OnProducerSendNack(Producer& producer, uint32_t mediaSsrc, const std::vector<uint16_t>& seqs) override;
	void OnProducerInjectedRtp(Producer& producer, uint8_t* data, size_t len) override;
	// Consumer::Listener
	// Virtual: a DirectTransport hands the packet to JavaScript instead.
	void OnConsumerSendRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t capacity) override;
	bool OnConsumerRetransmitRtpPacket(Consumer& consumer, uint8_t* data, size_t len, size_t capacity,
	                                   const RtpStreamSend::RetransmittedPacket& original) override;
	void OnConsumerKeyFrameRequested(Consumer& consumer, uint32_t mappedSsrc) override;
	// The consumer stamps the packet it is about to send; OnConsumerSendRtpPacket then
	// records it for the send-side estimator (see TransportBwe.cpp).
	uint16_t NextTransportWideSequenceNumber() override {
		stampedTransportSeq_ = transportWideSeq_;
		return transportWideSeq_++;
	}
	bool IsTransportReady() const override { return CanSendMedia(); }

protected:
	// Subclass hooks.
	virtual void SendRtp(uint8_t* data, size_t len, size_t capacity) = 0;
	virtual void SendRtcp(uint8_t* data, size_t len, size_t capacity) = 0;
	virtual bool CanSendMedia() const = 0;

	// SCTP packets to the peer (DTLS application data, or UDP for plain and pipe
	// transports). Only called when the subclass created an association.
	virtual void SendSctpPacket(const uint8_t* /*data*/, size_t /*len*/) {}
	// A pipe transport's data consumers carry subchannel filters in the payload.
	virtual bool IsPipe() const { return false; }

	// SCTP, for subclasses that carry data channels: CreateSctpAssociation() reads
	// enableSctp and the SCTP options at construction (does nothing without
	// enableSctp); StartSctp() once the path to the peer is up (DTLS connected, plain
	// transport connected); HandleIncomingSctp() for each SCTP packet received.
	void CreateSctpAssociation(const Value& options, bool isDataChannel);
	void StartSctp();
	void HandleIncomingSctp(const uint8_t* data, size_t len);
	bool HasSctp() const { return sctp_ != nullptr; }
	// sctpParameters, sctpState, sctpNegotiatedCapabilities and sctpListener (mediasoup's
	// dump fields), when the transport has SCTP.
	void AddSctpDump(Value& dump) const;
	// Closes the association (ABORT); the state becomes 'closed', with an
	// 'sctpstatechange' event when `notify` (the DTLS path went away).
	void CloseSctp(bool notify = false);
	const char* SctpStateName() const;

	// Subclass entry points, with decrypted packets (`data` may be modified in place).
	void HandleIncomingRtp(uint8_t* data, size_t len);
	// An inbound SSRC no producer claims (any more): a packet of it was dropped, its
	// producer closed, or its producer moved to another SSRC. A transport with SRTP gives
	// the SSRC's libsrtp stream back (SrtpSession::ForgetSsrc).
	virtual void OnInboundSsrcUnrouted(uint32_t /*ssrc*/) {}
	void HandleIncomingRtcp(const uint8_t* data, size_t len);

public:
	// RTP injected from JavaScript (DirectTransport's producer.send()).
	void InjectRtp(uint8_t* data, size_t len) { HandleIncomingRtp(data, len); }

protected:
	// produce / consume / closeProducer / closeConsumer; throws for other methods.
	Value HandleTransportRequest(const ChannelRequest& request);
	// The subclass calls this when CanSendMedia() became true: consumers restart.
	void NotifyReady();
	// Adds producerIds, consumerIds and the SSRC maps to a dump.
	// The fields every transport's dump() has (mediasoup's BaseTransportDump).
	void AddRtpDump(Value& dump) const;
	// maxSendMessageSize / maxReceiveMessageSize from the create options (mediasoup's
	// defaults: 256 KiB); also `maxMessageSize` (the older name) for both.
	void ReadMessageSizes(const Value& options);
	// Destroys producers and consumers (telling the router). Subclasses call it first
	// in their destructor, while SendRtcp still works.
	void CloseAll();

	// Send-side bandwidth estimation (issue 12; TransportBwe.cpp): subclasses whose
	// endpoint sends feedback about what we send (WebRtcTransport) enable it. Then the
	// estimate is getStats()'s availableOutgoingBitrate, the bitrate limits are enforced,
	// 'bwe' traces are emitted, and the consumers' layers are capped by an allocation of
	// the estimate (audio and simple streams first, then layered ones by priority).
	void EnableSendSideBwe(uint32_t initialBitrate);
	bool HasSendSideBwe() const { return bwe_ != nullptr; }
	uint32_t GetAvailableOutgoingBitrate() const { return bwe_ ? bwe_->GetTargetBitrateBps() : 0; }
	uint32_t GetMaxIncomingBitrate() const { return maxIncomingBitrate_; }
	// The request's "bitrate" (a number of bits per second that fits 32 bits).
	static uint32_t ReadBitrate(const Value& data);
	// False (nothing changes) when min > max (a max of 0 means no maximum).
	bool SetOutgoingBitrateLimits(uint32_t minBitrate, uint32_t maxBitrate);

	// Byte counts and bitrates of getStats(), kept by the subclass's network side
	// (rtx and probation are always 0 until bandwidth estimation exists).
	void AddTrafficStats(Value& stats, uint64_t nowMs);
	// availableOutgoingBitrate (the send-side estimate, when there is one) and the
	// max/min limits the application set, as mediasoup's transport stats.
	void AddBitrateLimitStats(Value& stats) const;
	// Whether consumers negotiating transport-wide sequence numbers start send-side
	// estimation on this transport (a PlainTransport; a WebRtcTransport always runs it).
	virtual bool EstimatesWhenNegotiated() const { return false; }

	const WorkerContext& context_;
	std::string id_;
	RateCalculator recvRate_;    // every byte received
	RateCalculator sendRate_;    // every byte sent
	RateCalculator rtpRecvRate_; // RTP after SRTP unprotect
	RateCalculator rtpSendRate_; // RTP before SRTP protect (original transmissions)
	RateCalculator rtxRecvRate_; // RTP received on a producer's RTX payload type
	RateCalculator rtxSendRate_; // retransmissions sent (RTX or not), as mediasoup counts them
	uint64_t rtpPacketsDropped_ = 0;
	uint64_t rtcpPacketsDropped_ = 0;
	// Transport-cc feedback statuses parsed per second. Run-length chunks let a feedback
	// announce 65,535 packet statuses in a few bytes (draft-holmer-rmcat-transport-wide-
	// cc-extensions-01 §3.1.3), each expanded and matched against what was sent: a peer
	// could make every datagram cost milliseconds. A real receiver reports the packets we
	// sent it, a few thousand a second at most; 200,000 a second (bucket of one second)
	// leave it far room. Feedback past the budget is dropped and counted. The budget is a
	// PacingBudget counting statuses as bytes (hence the factor 8 to its bits per second).
	static constexpr uint32_t kMaxFeedbackStatusesPerSecond = 200000;
	bwe::PacingBudget feedbackStatusBudget_{ kMaxFeedbackStatusesPerSecond * 8, bwe::PacingBudget::Params{ 1000 } };
	std::vector<std::string> traceEventTypes_; // enableTraceEvent(): 'probation', 'bwe'
	uint32_t maxSendMessageSize_ = 262144;
	uint32_t maxReceiveMessageSize_ = 262144;

private:
	Value Produce(const Value& data);
	Value Consume(const Value& data);
	void CloseProducer(const std::string& producerId);
	void CloseConsumer(const std::string& consumerId);
	Value ProduceData(const Value& data);
	Value ConsumeData(const Value& data);
	void CloseDataProducer(const std::string& dataProducerId);
	void CloseDataConsumer(const std::string& dataConsumerId);
	void DestroyDataConsumer(DataConsumer& consumer);
	void OnSctpTimer();
	void RescheduleSctpTimer();
	// Send-side estimation (TransportBwe.cpp).
	// The transport-wide number the packet carries (-1: none); a retransmission is given
	// a new one, written into the packet.
	int32_t TakeTransportSequence(Consumer& consumer, uint8_t* data, size_t len);
	// Sends now: rates, the estimator's record, SendRtp.
	void SendCountedRtp(uint8_t* data, size_t len, size_t capacity, int32_t transportSequence, bool retransmission,
	                    uint64_t nowMs);
	// The pacer (TransportBwe.cpp): its rate follows the estimate while the path is congested.
	void UpdatePacingRate(uint64_t nowMs);
	void OnPacerTimer();
	void HandleBweFeedback(const RtcpPacketView& view, uint64_t nowMs);
	void ResendLostRetransmissions();
	void OnBweTick(uint64_t nowMs);
	void AllocateBitrate(uint64_t nowMs);
	void EmitBweTrace(uint64_t nowMs);
	void SendProbes(uint64_t nowMs);
	// False when a NACK retransmission of `len` bytes does not fit its budget.
	bool AllowRetransmission(size_t len, uint64_t nowMs);
	// setMaxIncomingBitrate(): REMB towards the sending endpoint (TransportBwe.cpp).
	void SetMaxIncomingBitrate(uint32_t bitrate);
	// setMaxOutgoingBitrate() / setMinOutgoingBitrate(): throw RequestError when the
	// limits would be inconsistent.
	void SetMaxOutgoingBitrate(uint32_t bitrate);
	void SetMinOutgoingBitrate(uint32_t bitrate);
	void MaySendIncomingBitrateLimit(uint64_t nowMs);
	void ForgetConsumerSsrcs(Consumer& consumer);
	Producer* FindProducerForPacket(const RtpPacket& packet);
	void LearnProducerSsrc(Producer& producer, uint32_t ssrc);
	void HandleReportBlocks(const std::vector<ReportBlock>& blocks);
	void SendFeedback(const uint8_t* data, size_t len);
	void OnRtcpTimer();
	void SendReports(uint64_t nowMs);

	RouterHooks& router_;
	std::unordered_map<std::string, std::unique_ptr<Producer>> producers_;
	std::unordered_map<std::string, std::unique_ptr<Consumer>> consumers_;
	std::unordered_map<std::string, std::unique_ptr<DataProducer>> dataProducers_;
	std::unordered_map<std::string, std::unique_ptr<DataConsumer>> dataConsumers_;
	// SCTP stream routing: incoming streams to data producers, outgoing to consumers.
	std::unordered_map<uint16_t, DataProducer*> dataProducersByStreamId_;
	std::unordered_map<uint16_t, DataConsumer*> dataConsumersByStreamId_;
	std::unique_ptr<sctp::Association> sctp_;
	std::unique_ptr<Timer> sctpTimer_;
	sctp::Options sctpOptions_;
	bool sctpIsDataChannel_ = true;
	bool closedSctp_ = false; // CloseSctp() ran: the association is kept only for dumps
	sctp::State sctpState_ = sctp::State::New;
	size_t sctpDefaultBufferedAmountLowThreshold_ = 1024;
	// DataConsumers created with `dcepOpen` (the W3C layer's channels toward a plain
	// WebRTC peer): announced with DATA_CHANNEL_OPEN (RFC 8832 §6) once the association
	// is connected; these are the stream ids still waiting for that.
	std::vector<uint16_t> pendingDataChannelOpens_;
	void SendDataChannelOpen(const DataConsumer& consumer);
	std::vector<uint8_t> sctpScratch_;
	std::unique_ptr<bwe::SendSideEstimator> bwe_;
	int32_t stampedTransportSeq_ = -1; // set by NextTransportWideSequenceNumber until sent
	int32_t probeClusterId_ = -1;      // while sending a probe cluster's packets
	uint64_t lastBweProcessMs_ = 0;
	uint64_t lastAllocationMs_ = 0;
	uint64_t lastBweTraceMs_ = 0;
	uint32_t lastAllocatedBitrate_ = 0;
	// Retransmissions answering NACKs may use this share of the estimate (a leaky
	// bucket); beyond it they are not sent: a NACK storm behind a congested link only
	// adds to the congestion.
	std::unique_ptr<bwe::PacingBudget> retransmissionBudget_;
	uint64_t retransmissionsDropped_ = 0;
	// Pacing of what the consumers send while the path is congested (PacketPacer.hpp).
	std::unique_ptr<PacketPacer> pacer_;
	std::unique_ptr<Timer> pacerTimer_;
	// The last congestion signal (delay over-use, losses over 2%, or the estimate
	// falling); 0: none yet.
	uint64_t lastCongestionMs_ = 0;
	uint32_t previousEstimate_ = 0;
	// setMaxIncomingBitrate() (0: none), repeated as REMB while set; after it is removed,
	// a few REMBs with a bitrate no link reaches lift the sender's cap.
	uint32_t maxIncomingBitrate_ = 0;
	// setMaxOutgoingBitrate() / setMinOutgoingBitrate() as the application set them (0:
	// none); the estimator enforces them.
	uint32_t maxOutgoingBitrate_ = 0;
	uint32_t minOutgoingBitrate_ = 0;
	uint64_t lastIncomingLimitRembMs_ = 0;
	int incomingLimitLiftsLeft_ = 0;
	std::unordered_map<uint32_t, Producer*> producersBySsrc_;
	std::unordered_map<uint32_t, Consumer*> consumersBySsrc_; // media and RTX SSRCs
	std::unique_ptr<Timer> rtcpTimer_;
	uint64_t lastReportsMs_ = 0;
	// Transport-wide congestion control feedback towards the sending endpoint.
	TransportCcReceiver transportCcReceiver_;
	uint8_t transportCcExtensionId_ = 0;
	uint32_t transportCcMediaSsrc_ = 0;
	uint64_t lastTransportCcFeedbackMs_ = 0;
	uint32_t localSsrc_ = 0; // sender SSRC of our RTCP that is not about a consumer stream
	std::string cname_;
	uint16_t transportWideSeq_ = 1;
	std::vector<uint16_t> nackScratch_;
	bool retransmitting_ = false; // OnConsumerSendRtpPacket is sending a retransmission
	// What the retransmission being sent carries (during OnConsumerRetransmitRtpPacket).
	const RtpStreamSend::RetransmittedPacket* retransmitted_ = nullptr;
	// Transport-wide number -> retransmission, to resend what feedback reports lost.
	RetransmissionLedger retransmissionLedger_;
	std::vector<RetransmissionLedger::Origin> lostRetransmissions_; // scratch, per feedback

protected:
	bool IsRetransmitting() const { return retransmitting_; }
	// Header extension ids of the transport's incoming RTP, from its producers (the
	// latest producer that has each one), as mediasoup's recvRtpHeaderExtensions.
	struct RecvRtpHeaderExtensionIds {
		uint8_t mid = 0, rid = 0, rrid = 0, absSendTime = 0, transportWideCc01 = 0;
	} recvRtpHeaderExtensionIds_;
};

} // namespace mediaplane
