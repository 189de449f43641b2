import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    readonly property var p: app.practitionerView
    Label {
        textFormat: Text.PlainText
        text: p.name || i18n.t("patient:practitioner.loading")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    PrimaryButton {
        visible: !!p.name && !app.rescheduling
        secondary: true
        text: i18n.t("patient:practitioner.ask", {name: p.name || ""})
        onClicked: ask.open()
    }
    Dialog {
        id: ask
        title: i18n.t("forum:private.newLabel")
        modal: true
        anchors.centerIn: Overlay.overlay
        width: Math.min(480, Overlay.overlay ? Overlay.overlay.width - 32 : 480)
        standardButtons: Dialog.Cancel
        ColumnLayout {
            anchors.fill: parent
            Label { textFormat: Text.PlainText; text: i18n.t("forum:private.intro"); wrapMode: Text.Wrap; Layout.fillWidth: true; color: Theme.muted }
            TextField { id: subject; Layout.fillWidth: true; placeholderText: i18n.t("forum:private.subject"); Accessible.name: placeholderText }
            TextArea { id: body; Layout.fillWidth: true; Layout.preferredHeight: 100; wrapMode: TextEdit.Wrap; placeholderText: i18n.t("forum:private.message"); Accessible.name: placeholderText }
            PrimaryButton {
                text: i18n.t("forum:private.send")
                enabled: subject.text.trim().length > 0 && body.text.trim().length > 0
                onClicked: { app.askPrivately(subject.text, body.text); ask.close() }
            }
        }
    }
    Card {
        visible: !!p.name
        Label { textFormat: Text.PlainText; text: (p.specialties || "") + " · " + (p.experience || ""); color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
        Label { textFormat: Text.PlainText; text: p.places || ""; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
        Label { textFormat: Text.PlainText; text: p.speaks || ""; color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
        Label { textFormat: Text.PlainText; text: p.fees || ""; color: Theme.ink; font.bold: true; wrapMode: Text.Wrap; Layout.fillWidth: true }
    }
    GridLayout {
        Layout.fillWidth: true
        columns: width < 560 ? 3 : 4
        Label {
            textFormat: Text.PlainText
            text: i18n.t("patient:practitioner.freeTimes")
            font.pixelSize: Theme.textLg
            font.bold: true
            color: Theme.ink
            Layout.fillWidth: true
            Layout.columnSpan: parent.columns === 3 ? 3 : 1
            Accessible.role: Accessible.Heading
        }
        PrimaryButton { secondary: true; text: i18n.t("patient:slots.earlier"); onClicked: app.shiftWeek(-1) }
        Label { textFormat: Text.PlainText; text: app.weekLabel; color: Theme.ink; horizontalAlignment: Text.AlignHCenter; Layout.fillWidth: parent.columns === 3 }
        PrimaryButton { secondary: true; text: i18n.t("patient:slots.later"); onClicked: app.shiftWeek(1) }
    }
    Label { textFormat: Text.PlainText; text: i18n.t("patient:practitioner.timesShownIn") + " " + app.zoneName; color: Theme.muted; font.pixelSize: Theme.textSm }
    Label {
        textFormat: Text.PlainText
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
