package config

import (
	"github.com/cloudtrail-mrk/cloudtrail-mrk/constructs/rules"
)

// applyReplicationAlarmDefaults names the replication alarm topic after the
// trail, when replication and its alarm are on.
func (c *Config) applyReplicationAlarmDefaults() {
	if a := &c.Replication.Alarms; c.ReplicationAlarmsEnabled() && a.TopicName == "" {
		a.TopicName = rules.DefaultReplicationAlarmTopicName(c.Trail.Name)
	}
}

// ReplicationAlarmsEnabled reports whether the configuration creates the
// alarm on failed replications (with its topic and key).
func (c *Config) ReplicationAlarmsEnabled() bool {
	return c.Replication.Enabled && c.Replication.Alarms.Enabled
}

func (c *Config) validateReplicationAlarms(l *rules.List) {
	const f = "replication.alarms"
	a := c.Replication.Alarms
	switch {
	case !c.Replication.Enabled:
		if a.Enabled && len(a.Subscriptions) > 0 {
			l.Addf(f+".subscriptions", len(a.Subscriptions), "needs replication.enabled: the alarm watches the replication to the recovery bucket")
		}
		return
	case !a.Enabled:
		if len(a.Subscriptions) > 0 {
			l.Addf(f+".subscriptions", len(a.Subscriptions), "needs %s.enabled: without the alarm nothing is sent to the subscriptions", f)
		}
		return
	}
	if rules.DerivedName(c.Trail.Name, a.TopicName, rules.DefaultReplicationAlarmTopicName) {
		// Equal to another topic of the same account: see validateUniqueNames.
		l.Add(f+".topic_name", rules.TopicName(a.TopicName))
	}
	c.validateSubscriptions(l, f+".subscriptions", a.Subscriptions)
}
