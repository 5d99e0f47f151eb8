import { Module } from '@nestjs/common';
import { BookingModule } from '../leasing/booking/booking.module';
import { LifecycleModule } from '../leasing/lifecycle/lifecycle.module';
import { LeasingViewsModule } from '../leasing/views/leasing-views.module';
import { OfferClaimService } from './offer-claim.service';
import { OfferListService } from './offer-list.service';
import { OfferPolicyTarget } from './offer-policy-target';
import { OffersController } from './offers.controller';
import { OffersService } from './offers.service';

/** `/v1/offers`: list, show, create, cancel, claim. */
@Module({
  imports: [BookingModule, LifecycleModule, LeasingViewsModule],
  controllers: [OffersController],
  providers: [OfferListService, OffersService, OfferClaimService, OfferPolicyTarget],
})
export class OffersModule {}
