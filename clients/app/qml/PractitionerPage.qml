import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    readonly property var p: app.practitionerView
    Label {
        text: p.name || i18n.t("patient:practitioner.loading")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Card {
        visible: !!p.name
        Label { text: (p.specialties || "") + " · " + (p.experience || ""); color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
        Label { text: p.places || ""; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
        Label { text: p.speaks || ""; color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
        Label { text: p.fees || ""; color: Theme.ink; font.bold: true; wrapMode: Text.Wrap; Layout.fillWidth: true }
    }
    GridLayout {
        Layout.fillWidth: true
        columns: width < 560 ? 3 : 4
        Label {
            text: i18n.t("patient:practitioner.freeTimes")
            font.pixelSize: Theme.textLg
            font.bold: true
            color: Theme.ink
            Layout.fillWidth: true
            Layout.columnSpan: parent.columns === 3 ? 3 : 1
            Accessible.role: Accessible.Heading
        }
        PrimaryButton { secondary: true; text: i18n.t("patient:slots.earlier"); onClicked: app.shiftWeek(-1) }
        Label { text: app.weekLabel; color: Theme.ink; horizontalAlignment: Text.AlignHCenter; Layout.fillWidth: parent.columns === 3 }
        PrimaryButton { secondary: true; text: i18n.t("patient:slots.later"); onClicked: app.shiftWeek(1) }
    }
    Label { text: i18n.t("patient:practitioner.timesShownIn") + " " + app.zoneName; color: Theme.muted; font.pixelSize: Theme.textSm }
    Label {
        visible: app.busy > 0 && app.week.length === 0
        text: i18n.t("patient:slots.loading")
        color: Theme.muted
    }
    SlotWeek {
        Layout.fillWidth: true
        days: app.week
        noneText: i18n.t("patient:slots.none")
        videoText: i18n.t("patient:slots.video")
        moreText: function(n) { return i18n.t("patient:slots.showMore", {count: n}) }
        Accessible.name: i18n.t("patient:slots.gridLabel")
        onPicked: (index) => app.pickSlot(index)
    }
}
