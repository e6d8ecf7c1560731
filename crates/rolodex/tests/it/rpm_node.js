// Runs RPM Software's own Node.js library, unchanged, against a running Rolodex: the customer
// calls an integration makes, each checked as the library returns it. Started by
// `rpm_node.rs` as `node rpm_node.js <library folder> <port> <API key>`; prints one JSON
// line of the ids it made, for the test to check through the native API, and exits non-zero
// with the failure otherwise.
'use strict';

const assert = require('node:assert/strict');
const dns = require('node:dns');
const path = require('node:path');

const [libraryDir, port, key] = process.argv.slice(2);

// The library accepts only a host name whose first label is `api`; every such name is this
// machine here, as a DNS alias of the Rolodex host would be.
const lookup = dns.lookup;
dns.lookup = function (host, options, callback) {
    return lookup.call(dns, host.startsWith('api.') ? '127.0.0.1' : host, options, callback);
};

const { RpmApi } = require(path.join(libraryDir, 'lib', 'api-wrappers.js'));

async function rejection(promise) {
    try {
        await promise;
    } catch (e) {
        return e;
    }
    assert.fail('the call succeeded');
}

async function main() {
    const api = new RpmApi(`http://api.rolodex.test:${port}/RPM/`, key);

    // Find or create, as the library's customer field setter does.
    assert.equal(await api.getCustomer('Acme, Inc.'), undefined);
    const created = await api.getCustomer('Acme, Inc.') || await api.createCustomer('Acme, Inc.');
    assert.equal(created.Name, 'Acme, Inc.');
    const acme = created.CustomerID;
    const found = await api.getCustomer('Acme, Inc.') || await api.createCustomer('Acme, Inc.');
    assert.equal(found.CustomerID, acme, 'found, not created again');

    let customer = await api.editCustomer(acme, {
        Website: 'https://acme.example',
        Fields: [{ Field: 'Region', Value: 'West' }],
    });
    assert.equal(customer.Website, 'https://acme.example');
    customer = await api.editCustomer('Acme, Inc.', { City: 'Edmonton', Country: 'US' });
    assert.equal(customer.CustomerID, acme);
    assert.equal(customer.Location.City, 'Edmonton');

    const searched = await api.searchCustomers('acme');
    assert.deepEqual(searched.Customers.map(c => c.CustomerID), [acme]);
    const byField = await api.searchCustomers('Name', 'Acme');
    assert.deepEqual(byField.Customers.map(c => c.Customer), ['Acme, Inc.']);

    const contact = await api.addCustomerContact(acme, {
        FirstName: 'Wile',
        LastName: 'Coyote',
        Email: 'wile@acme.example',
        PhoneNumbers: [{ Type: 1, Number: '555-0300' }],
    }, true);
    assert.equal(contact.FirstName, 'Wile');
    const edited = await api.editCustomerContact(acme, contact.ContactID, {
        FirstName: 'Wile E.',
        LastName: 'Coyote',
        Email: 'wile@acme.example',
        Title: 'Genius',
    }, true);
    assert.equal(edited.Title, 'Genius');
    customer = await api.demandCustomer(acme);
    assert.equal(customer.Contact.ContactID, contact.ContactID, 'the primary contact');
    assert.equal(customer.Contact.BusinessPhone, '555-0300');

    const location = await api.editCustomerLocation(acme, customer.Location.LocationID, {
        Address: '742 Green Terrace',
    });
    assert.equal(location.Location.Address, '742 Green Terrace');
    assert.equal(location.Location.City, 'Edmonton');
    const second = await rejection(api.addCustomerLocation(acme, 'Warehouse'));
    assert.equal(second.name, 'RpmApiError');
    assert.match(second.message, /already has its one location/);

    const globex = await api.createCustomer({ Name: 'Globex' });
    const added = await api.addCustomerLocation(globex.CustomerID, { Name: 'HQ', City: 'Cypress Creek' });
    assert.equal(added.Location.LocationID, globex.CustomerID);
    assert.equal((await api.demandCustomer(globex.CustomerID)).Location.City, 'Cypress Creek');

    assert.deepEqual((await api.getCustomerAccounts(acme)).Accounts, []);
    assert.deepEqual((await api.getCustomerAccounts('Globex')).Accounts, []);
    assert.deepEqual(await api.getAccountGroupsInUse(), []);

    const listed = await api.getCustomers();
    assert.deepEqual(listed.Customers.map(c => c.Customer).sort(), ['Acme, Inc.', 'Globex']);

    const missing = await rejection(api.editCustomer(999999, { City: 'Nowhere' }));
    assert.equal(missing.name, 'RpmApiError');
    assert.equal(missing.message, 'Customer not found');

    console.log(JSON.stringify({ acme, contact: contact.ContactID, globex: globex.CustomerID }));
}

main().catch(e => {
    console.error(e);
    process.exit(1);
});
