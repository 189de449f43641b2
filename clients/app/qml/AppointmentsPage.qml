import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    Label {
        textFormat: Text.PlainText
        text: i18n.t("patient:appointments.title")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Row {
        spacing: Theme.space
        Accessible.role: Accessible.PageTabList
        Accessible.name: i18n.t("patient:appointments.tabsLabel")
        Chip { text: i18n.t("patient:appointments.upcoming"); selected: !app.pastAppointments; Accessible.role: Accessible.PageTab; onClicked: app.loadAppointments(false) }
        Chip { text: i18n.t("patient:appointments.past"); selected: app.pastAppointments; Accessible.role: Accessible.PageTab; onClicked: app.loadAppointments(true) }
    }
    Label {
        textFormat: Text.PlainText
        visible: app.busy === 0 && app.appointments.length === 0
        text: app.pastAppointments ? i18n.t("patient:appointments.nonePast") : i18n.t("patient:appointments.noneUpcoming")
        color: Theme.muted
    }
    Repeater {
        model: app.appointments
        delegate: Card {
            required property var modelData
            objectName: "appointmentCard"
            Accessible.name: modelData.name + ", " + modelData.when + ", " + modelData.statusLabel
            RowLayout {
                Layout.fillWidth: true
                Label { textFormat: Text.PlainText; text: modelData.when; font.bold: true; color: Theme.ink; Layout.fillWidth: true; wrapMode: Text.Wrap }
                Rectangle {
                    radius: 10; color: Theme.surface2; border.color: Theme.line
                    implicitWidth: status.implicitWidth + 16; implicitHeight: status.implicitHeight + 4
                    Label { textFormat: Text.PlainText; id: status; anchors.centerIn: parent; text: modelData.statusLabel; font.pixelSize: Theme.textSm; color: Theme.ink }
                }
            }
            Label { textFormat: Text.PlainText; text: modelData.name + (modelData.specialty ? " · " + modelData.specialty : ""); color: Theme.link; font.bold: true; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: modelData.where; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: modelData.fee + (modelData.payment ? " · " + modelData.payment : ""); color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Flow {
                Layout.fillWidth: true
                spacing: Theme.space
                visible: modelData.canPay || modelData.canCancel || modelData.canMove || modelData.hasInvoice
                PrimaryButton {
                    visible: modelData.canPay
                    text: modelData.payLabel
                    onClicked: app.pay(modelData.id)
                }
                PrimaryButton {
                    secondary: true
                    visible: modelData.canMove
                    text: i18n.t("patient:appointment.reschedule")
                    onClicked: app.startReschedule(modelData.id)
                }
                PrimaryButton {
                    secondary: true
                    visible: modelData.hasInvoice
                    text: i18n.t("patient:payment.downloadInvoice")
                    onClicked: app.openInvoice(modelData.paymentId)
                }
                PrimaryButton {
                    secondary: true
                    visible: modelData.canCancel
                    text: i18n.t("patient:appointment.cancelAppointment")
                    onClicked: confirm.open()
                }
            }
            Dialog {
                id: confirm
                title: i18n.t("patient:appointment.cancelTitle")
                modal: true
                anchors.centerIn: Overlay.overlay
                standardButtons: Dialog.Yes | Dialog.No
                Label {
                    textFormat: Text.PlainText
                    text: i18n.t("patient:appointment.cancelConfirm", {name: modelData.name, when: modelData.when})
                    wrapMode: Text.Wrap
                    width: 320
                }
                onAccepted: app.cancelAppointment(modelData.id)
            }
        }
    }
}
